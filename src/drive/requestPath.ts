/**
 * Request paths that reach exactly their key.
 *
 * Browsers, like every WHATWG URL parser, remove `.` and `..` segments (and
 * their `%2e` spellings) from a URL's path before sending it, so the key
 * `dots/./a.txt` would be requested as `dots/a.txt`: another object. S3
 * decodes a request path once, `%2F` included, so a dot segment joined to its
 * neighbour with `%2F` still names the same key while no URL parser sees a dot
 * segment any more:
 *
 * | key            | path sent        |
 * | -------------- | ---------------- |
 * | `dots/./a.txt` | `dots/.%2Fa.txt` |
 * | `x/../y.txt`   | `x/..%2Fy.txt`   |
 * | `x/.`          | `x%2F.`          |
 * | `.` or `..`    | refused          |
 *
 * The request is signed before the path is rewritten: the signature covers
 * the key as S3 canonicalizes it (decoded, then re-encoded with `/`).
 * Whatever the rewriting, a path that a URL parser would still change is
 * refused before anything is sent ({@link UnreachableKeyError}).
 */

/** A path segment that URL parsers resolve away. */
const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;

/**
 * A key that no URL can carry to S3 as it is (a key that is only `.` or `..`).
 */
export class UnreachableKeyError extends Error {
  readonly code = 'UnreachableKey';
  constructor(readonly key: string) {
    super(`The key "${key}" cannot be sent in a URL without being changed.`);
    this.name = 'UnreachableKey';
  }
}

/**
 * Percent-encode a key segment as the AWS SDK does for the `{Key+}` label:
 * `encodeURIComponent`, plus `!'()*`.
 */
export function encodeKeySegment(segment: string): string {
  return encodeURIComponent(segment).replace(
    /[!'()*]/g,
    char => '%' + char.charCodeAt(0).toString(16).toUpperCase()
  );
}

/**
 * Join percent-encoded key segments into a path that no URL parser changes:
 * each dot segment is joined to the next segment (the last one to the
 * previous) with `%2F`.
 *
 * @throws UnreachableKeyError when the key is nothing but dot segments
 */
export function joinKeySegments(segments: string[], key: string): string {
  const last = segments.length - 1;
  let path = segments[0] ?? '';
  for (let i = 0; i < last; i++) {
    const glue =
      DOT_SEGMENT.test(segments[i]) ||
      (i + 1 === last && DOT_SEGMENT.test(segments[last]));
    path += (glue ? '%2F' : '/') + segments[i + 1];
  }
  if (path.split('/').some(segment => DOT_SEGMENT.test(segment))) {
    throw new UnreachableKeyError(key);
  }
  return path;
}

/**
 * The URL path of a key: its segments percent-encoded as the SDK does,
 * dot segments protected.
 */
export function keyUrlPath(key: string): string {
  return joinKeySegments(key.split('/').map(encodeKeySegment), key);
}

/**
 * Rewrite the end of a request path that carries `key` (as the SDK encodes
 * it) so that dot segments survive URL normalization. Paths that do not end
 * with the key are returned as they are.
 */
export function protectKeyInPath(path: string, key: string): string {
  const encoded = key.split('/').map(encodeKeySegment).join('/');
  if (!path.endsWith('/' + encoded)) {
    return path;
  }
  const head = path.slice(0, path.length - encoded.length);
  return head + keyUrlPath(key);
}

/**
 * Whether a URL parser leaves a (percent-encoded, absolute) path as it is.
 */
export function isStablePath(path: string): boolean {
  try {
    return new URL(path, 'http://localhost').pathname === path;
  } catch {
    return false;
  }
}

/**
 * Check that a request path survives URL parsing, else refuse the key.
 *
 * @throws UnreachableKeyError
 */
export function checkStablePath(path: string, key: string): void {
  if (!isStablePath(path)) {
    throw new UnreachableKeyError(key);
  }
}

/**
 * Protect the key of a full URL (a presigned or proxy download link).
 */
export function protectKeyInUrl(url: string, key: string): string {
  const query = url.indexOf('?');
  const base = query < 0 ? url : url.slice(0, query);
  const rest = query < 0 ? '' : url.slice(query);
  return protectKeyInPath(base, key) + rest;
}

/** Why the Jupyter server's proxy refuses a key (see `proxy_rules.py`). */
export type ProxyRefusal = 'backslash' | 'control' | 'dot';

/**
 * Why the proxy refuses to forward a key, or `null` when it forwards it:
 * a backslash (some servers read it as `/`), a NUL or line break, a `.` or
 * `..` segment (a server behind a normalizing front end could resolve it to
 * another key).
 */
export function proxyRefusal(key: string): ProxyRefusal | null {
  if (key.includes('\\')) {
    return 'backslash';
  }
  if (/[\0\r\n]/.test(key)) {
    return 'control';
  }
  if (key.split('/').some(segment => segment === '.' || segment === '..')) {
    return 'dot';
  }
  return null;
}

/**
 * A key that the proxy backend refuses by design.
 */
export class ProxyRefusedKeyError extends Error {
  readonly code = 'ProxyRefusedKey';
  constructor(
    readonly key: string,
    readonly reason: ProxyRefusal
  ) {
    super(`The proxy does not forward the key "${key}" (${reason}).`);
    this.name = 'ProxyRefusedKey';
  }
}
