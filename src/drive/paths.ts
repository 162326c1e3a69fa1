/**
 * Mapping between JupyterLab drive paths and S3 keys.
 *
 * A drive path has no leading slash and is `/`-separated; it maps to the key
 * `prefix + path`, and a folder to `prefix + path + '/'`.
 *
 * S3 keys are any string of up to 1024 bytes, so some keys have segments that
 * a JupyterLab path cannot hold: JupyterLab normalizes every path it handles
 * (`a//b` becomes `a/b`, `.` and `..` are resolved). Such segments are encoded
 * reversibly with the reserved character `␀` (U+2400, "symbol for null"):
 *
 * | key segment                         | drive path segment |
 * | ----------------------------------- | ------------------ |
 * | empty (`a//b`, `dir/` with content) | `␀`                |
 * | `.`                                 | `␀.`               |
 * | `..`                                | `␀..`              |
 * | anything starting with `␀`, `␀x`    | `␀␀x`              |
 * | an object `x` beside a folder `x/`  | `␀=x` (last only)  |
 *
 * The folder `x/` keeps the name `x`; the object `x` next to it shows as `␀=x`
 * so both can be listed, opened, renamed and deleted. Any other path segment
 * starting with `␀` is refused as reserved.
 */

/** The character that starts an encoded path segment. */
export const RESERVED = '\u2400';

/** The marker of an object shadowed by a folder of the same name. */
export const SHADOWED = RESERVED + '=';

/** The folder that holds checkpoints, hidden from listings like Jupyter does. */
export const CHECKPOINT_DIR = '.ipynb_checkpoints';

/** A drive path resolved to its S3 key. */
export interface IResolvedPath {
  /** The normalized drive path (`''` for the root). */
  path: string;
  /** The key of the object, without the trailing `/` of a folder. */
  key: string;
  /** The key of the path seen as a folder: `key + '/'`, or the prefix for the root. */
  folderKey: string;
  /** Whether the path is the drive's root. */
  isRoot: boolean;
  /** Whether the path names an object shadowed by a folder (`␀=x`): never a folder. */
  shadowed: boolean;
}

/**
 * An error for a path that cannot be mapped to a key.
 */
export class InvalidPathError extends Error {
  readonly code = 'InvalidPath';
  /**
   * @param reason why the path is refused, for a translated message
   * @param subject the path or segment at fault
   */
  constructor(
    readonly reason: 'reserved' | 'parent' | 'notFolder' | 'outside',
    readonly subject: string
  ) {
    super(Private.message(reason, subject));
    this.name = 'InvalidPathError';
  }
}

/**
 * Normalize a connector prefix: no leading slash, a trailing slash unless empty.
 */
export function normalizePrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+/, '');
  if (!trimmed) {
    return '';
  }
  return trimmed.endsWith('/') ? trimmed : trimmed + '/';
}

/**
 * Encode one key segment (no `/` in it) as a drive path segment.
 */
export function encodeSegment(segment: string): string {
  if (segment === '') {
    return RESERVED;
  }
  if (segment === '.' || segment === '..') {
    return RESERVED + segment;
  }
  if (segment.startsWith(RESERVED)) {
    return RESERVED + segment;
  }
  return segment;
}

/**
 * The drive path segment of an object shadowed by a folder of the same name.
 */
export function encodeShadowedSegment(segment: string): string {
  return SHADOWED + segment;
}

/**
 * Decode one drive path segment to its key segment.
 *
 * @throws InvalidPathError for a reserved segment that no key produces.
 */
export function decodeSegment(segment: string): {
  segment: string;
  shadowed: boolean;
} {
  if (!segment.startsWith(RESERVED)) {
    return { segment, shadowed: false };
  }
  const rest = segment.slice(RESERVED.length);
  if (rest === '' || rest === '.' || rest === '..') {
    return { segment: rest, shadowed: false };
  }
  if (rest.startsWith(RESERVED)) {
    return { segment: rest, shadowed: false };
  }
  if (rest.startsWith('=')) {
    return { segment: rest.slice(1), shadowed: true };
  }
  throw new InvalidPathError('reserved', segment);
}

/**
 * Split a drive path in segments, normalized as JupyterLab does: leading,
 * trailing and repeated slashes and `.` segments are dropped.
 *
 * @throws InvalidPathError for `..`, which would leave the drive.
 */
export function splitPath(path: string): string[] {
  const parts = path.split('/').filter(part => part !== '' && part !== '.');
  if (parts.includes('..')) {
    throw new InvalidPathError('parent', path);
  }
  return parts;
}

/**
 * Resolve a drive path to its key below a (normalized) prefix.
 */
export function resolvePath(prefix: string, path: string): IResolvedPath {
  const parts = splitPath(path);
  if (parts.length === 0) {
    return {
      path: '',
      key: prefix,
      folderKey: prefix,
      isRoot: true,
      shadowed: false
    };
  }
  let shadowed = false;
  const segments = parts.map((part, index) => {
    const decoded = decodeSegment(part);
    if (decoded.shadowed && index !== parts.length - 1) {
      throw new InvalidPathError('notFolder', path);
    }
    shadowed = decoded.shadowed;
    return decoded.segment;
  });
  const key = prefix + segments.join('/');
  return {
    path: parts.join('/'),
    key,
    folderKey: key + '/',
    isRoot: false,
    shadowed
  };
}

/**
 * The drive path of a key below the prefix (the key of a folder without its
 * trailing slash).
 *
 * @throws InvalidPathError when the key is not below the prefix.
 */
export function keyToPath(prefix: string, key: string): string {
  if (!key.startsWith(prefix)) {
    throw new InvalidPathError('outside', key);
  }
  const relative = key.slice(prefix.length);
  if (relative === '') {
    return '';
  }
  return relative.split('/').map(encodeSegment).join('/');
}

/**
 * Join a parent drive path and a (drive path) name.
 */
export function joinPath(parent: string, name: string): string {
  return parent ? `${parent}/${name}` : name;
}

/**
 * The parent drive path and the last segment of a drive path.
 */
export function splitLast(path: string): { parent: string; name: string } {
  const parts = splitPath(path);
  const name = parts.pop() ?? '';
  return { parent: parts.join('/'), name };
}

/**
 * Split a file name like Jupyter server does to insert a counter:
 * `a.tar.gz` → `a` + `.tar.gz`, but `x.y.ipynb` → `x.y` + `.ipynb`.
 */
export function splitName(name: string): { base: string; suffix: string } {
  const last = name.lastIndexOf('.');
  if (last >= 0 && name.slice(last + 1) === 'ipynb') {
    return { base: name.slice(0, last), suffix: name.slice(last) };
  }
  const first = name.indexOf('.');
  if (first < 0) {
    return { base: name, suffix: '' };
  }
  return { base: name.slice(0, first), suffix: name.slice(first) };
}

/**
 * The extension of a name as `os.path.splitext` gives it (a leading dot does
 * not start an extension).
 */
export function extname(name: string): string {
  const stripped = name.replace(/^\.+/, '');
  const dot = stripped.lastIndexOf('.');
  return dot < 0 ? '' : stripped.slice(dot);
}

/**
 * The key of the checkpoint of an object, where Jupyter server keeps it:
 * `<dir>/.ipynb_checkpoints/<base>-checkpoint<ext>`.
 */
export function checkpointKey(key: string): string {
  const slash = key.lastIndexOf('/');
  const dir = key.slice(0, slash + 1);
  const name = key.slice(slash + 1);
  const ext = extname(name);
  const base = name.slice(0, name.length - ext.length);
  return `${dir}${CHECKPOINT_DIR}/${base}-checkpoint${ext}`;
}

/**
 * The byte length of a key in UTF-8, which S3 limits to 1024.
 */
export function keyByteLength(key: string): number {
  return new TextEncoder().encode(key).length;
}

/**
 * Percent-encode a key for a URL path, keeping its slashes (and so its empty
 * segments).
 */
export function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

/** The longest key S3 accepts, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;

namespace Private {
  /**
   * The English message of an invalid path; the drive translates it.
   */
  export function message(reason: string, subject: string): string {
    switch (reason) {
      case 'reserved':
        return `"${subject}" is not a valid name: names starting with "${RESERVED}" are reserved.`;
      case 'parent':
        return `"${subject}" leads out of the bucket's root folder.`;
      case 'notFolder':
        return `"${subject}" is not a valid path: a "${SHADOWED}" name is a file, not a folder.`;
      default:
        return `The key "${subject}" is outside the connector's prefix.`;
    }
  }
}
