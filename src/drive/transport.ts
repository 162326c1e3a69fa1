import {
  GetObjectCommand,
  S3Client,
  S3ClientConfig,
  ServiceInputTypes,
  ServiceOutputTypes
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import { FetchHttpHandler } from '@smithy/fetch-http-handler';
import type {
  DeserializeMiddleware,
  HttpRequest as IHttpRequest
} from '@smithy/types';

import type { IConnector } from '../connectors/types';
import {
  checkStablePath,
  keyUrlPath,
  protectKeyInPath,
  protectKeyInUrl
} from './requestPath';

/** The proxy's path below the server's base URL. */
export const PROXY_PATH = 's3-connectors/proxy';

/** The header that carries a proxied request's path as the client built it. */
export const PATH_HEADER = 'x-s3c-path';

/** How many times the SDK tries a request (network errors, 5xx, SlowDown). */
export const DEFAULT_MAX_ATTEMPTS = 4;

/**
 * What a transport needs to reach a connector's bucket.
 */
export interface ITransportOptions {
  /** The connector: `id`, `endpoint`, `region` and `backend` are used. */
  connector: Pick<
    IConnector,
    'id' | 'endpoint' | 'region' | 'backend' | 'access_key_id'
  >;
  /** The secret key; only for the `direct` backend. */
  secretAccessKey?: string;
  /** The Jupyter server to go through for the `proxy` backend. */
  serverSettings?: ServerConnection.ISettings;
  /** How many times to try a request before giving up (default 4). */
  maxAttempts?: number;
  /**
   * Send `direct` requests with `fetch` even outside a browser, where the
   * SDK would use Node's `http`: tests use it to meet the URL handling of
   * browsers (Node's `fetch` parses URLs the same way).
   */
  fetch?: boolean;
}

/**
 * Create the S3 client of a connector, for its `direct` or `proxy` backend.
 *
 * Both use path-style addressing and only compute or check checksums when an
 * operation requires them (S3-compatible stores often reject the newer ones).
 * Requests that fail on the network, with a 5xx or with `SlowDown` are retried
 * by the SDK with exponential backoff, `maxAttempts` times in all.
 *
 * In a browser every request reaches S3, never the HTTP cache (S3 answers
 * carry no `Cache-Control`, so a cached GetObject would be an old version;
 * `directRequestInit`), and every key reaches exactly its object
 * (`requestPath.ts`).
 */
export function createS3Client(options: ITransportOptions): S3Client {
  const client = Private.createClient(options);
  client.middlewareStack.add(keyPathMiddleware, {
    step: 'deserialize',
    name: 's3ConnectorsKeyPath',
    priority: 'low'
  });
  return client;
}

/**
 * A middleware that runs once the request is signed, just before it is sent:
 * dot segments of the key survive URL normalization, and a path that a URL
 * parser would still change is refused (nothing is sent).
 */
export const keyPathMiddleware: DeserializeMiddleware<
  ServiceInputTypes,
  ServiceOutputTypes
> = next => async args => {
  const key = (args.input as { Key?: unknown }).Key;
  const request = args.request as Partial<HttpRequest>;
  if (typeof request.path === 'string' && typeof key === 'string') {
    request.path = protectKeyInPath(request.path, key);
    checkStablePath(request.path, key);
  }
  return next(args);
};

namespace Private {
  export function createClient(options: ITransportOptions): S3Client {
    const { connector } = options;
    const common: S3ClientConfig = {
      region: connector.region || 'us-east-1',
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      retryMode: 'standard'
    };
    if (connector.backend === 'direct') {
      return new S3Client({
        ...common,
        // The platform's handler (fetch in a browser), or fetch when asked.
        requestHandler: options.fetch
          ? new FetchHttpHandler({ requestInit: directRequestInit })
          : { requestInit: directRequestInit },
        endpoint: connector.endpoint,
        credentials: {
          accessKeyId: connector.access_key_id,
          secretAccessKey: options.secretAccessKey ?? ''
        }
      });
    }
    const settings = options.serverSettings ?? ServerConnection.makeSettings();
    return new S3Client({
      ...common,
      endpoint: proxyEndpoint(settings, connector.id),
      // The server signs the forwarded request with the stored key; the SDK
      // still wants credentials to sign with before the handler replaces them.
      credentials: { accessKeyId: 'jupyter-proxy', secretAccessKey: 'unused' },
      requestHandler: new ProxyHttpHandler(settings),
      // fetch refuses `Expect: 100-continue` (Node's does; browsers ignore it),
      // and the proxy answers it itself anyway.
      expectContinueHeader: false
    });
  }
}

/**
 * How a `direct` request uses the browser's caches (the `fetch` options the
 * handler adds to each request).
 *
 * - Reads (`GET`: objects, listings) bypass the HTTP cache and are never
 *   stored in it (`no-store`): an object's bytes stay out of the browser's
 *   disk cache, as the proxy's answers do (`Cache-Control: no-store`).
 * - Every other request keeps the default mode, so that the browser reuses
 *   the CORS preflight it made for the same URL (`Access-Control-Max-Age`):
 *   Chromium skips its preflight cache for `no-store`, `no-cache` and
 *   `reload` requests, and would send an `OPTIONS` before each `HeadObject`,
 *   `PutObject` or `DeleteObject`, one more round trip to S3 each time.
 *   Their answers are not served from the HTTP cache either: a `HEAD`
 *   carries `Cache-Control: no-cache` (the browser goes to S3 and reads
 *   nothing it kept), and `PUT`, `POST` and `DELETE` answers are never
 *   cached.
 */
export function directRequestInit(request: IHttpRequest): RequestInit {
  if (request.method === 'GET') {
    return { cache: 'no-store' };
  }
  if (request.method === 'HEAD') {
    // The signed headers and one more, unsigned: S3 checks only the ones
    // the signature names.
    return {
      cache: 'default',
      headers: { ...request.headers, 'cache-control': 'no-cache' }
    };
  }
  return { cache: 'default' };
}

/**
 * Whether a client sends requests with `fetch` (a browser's, or the proxy
 * transport), which takes a `Blob` as a body and reads it itself.
 */
export function acceptsBlobBodies(client: S3Client): boolean {
  return (
    (client.config as { requestHandler?: unknown }).requestHandler instanceof
    FetchHttpHandler
  );
}

/**
 * The absolute URL of a connector's proxy: the SDK appends `/<bucket>/<key>`.
 */
export function proxyEndpoint(
  settings: ServerConnection.ISettings,
  connectorId: string
): string {
  const url = URLExt.join(settings.baseUrl, PROXY_PATH, connectorId);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    return url;
  }
  // A relative base URL: resolve it against the page, as fetch would.
  return new URL(url, globalThis.location?.href).toString();
}

/**
 * A function giving the URL to download an object.
 *
 * - `direct`: a presigned GET, valid for an hour, as an attachment (a
 *   cross-origin `<a download>` is otherwise ignored).
 * - `proxy`: the proxy URL of the object; the browser's Jupyter cookies
 *   authenticate it, and the proxy serves it with `nosniff` and a sandbox CSP.
 */
export function createDownloadUrl(
  options: ITransportOptions,
  client: S3Client,
  bucket: string
): (key: string) => Promise<string> {
  if (options.connector.backend === 'direct') {
    return (key: string) => presignedDownload(client, bucket, key);
  }
  const settings = options.serverSettings ?? ServerConnection.makeSettings();
  const endpoint = proxyEndpoint(settings, options.connector.id);
  return async (key: string) =>
    `${endpoint}/${encodeURIComponent(bucket)}/${keyUrlPath(key)}`;
}

/**
 * A presigned GET of an object, valid for an hour, as an attachment (a
 * cross-origin `<a download>` is otherwise ignored), whose path reaches
 * exactly the key (`requestPath.ts`).
 */
export async function presignedDownload(
  client: S3Client,
  bucket: string,
  key: string
): Promise<string> {
  const name = key.slice(key.lastIndexOf('/') + 1) || 'download';
  const url = await getSignedUrl(
    client,
    new GetObjectCommand({
      Bucket: bucket,
      Key: key,
      ResponseContentDisposition: `attachment; filename*=UTF-8''${encodeURIComponent(name)}`
    }),
    { expiresIn: 3600 }
  );
  return protectKeyInUrl(url, key);
}

/**
 * Read a cookie of the page, the last one when there are several (as
 * `@jupyterlab/services` does, consistently with Tornado).
 */
export function getCookie(name: string): string | undefined {
  let cookie = '';
  try {
    cookie = globalThis.document?.cookie ?? '';
  } catch {
    // A sandboxed page (CSP) may not read cookies.
    return undefined;
  }
  const prefix = name + '=';
  let value: string | undefined;
  for (const part of cookie.split(';')) {
    const trimmed = part.trim();
    if (trimmed.startsWith(prefix)) {
      value = trimmed.substring(prefix.length);
    }
  }
  return value;
}

type HttpRequest = Parameters<FetchHttpHandler['handle']>[0];
type HttpHandlerOptions = Parameters<FetchHttpHandler['handle']>[1];

/**
 * The `fetch` handler of the proxy transport: it runs after the SDK has
 * signed the request and authenticates it like any JupyterLab request
 * instead (token, XSRF cookie, same-origin credentials).
 */
export class ProxyHttpHandler extends FetchHttpHandler {
  constructor(private readonly _settings: ServerConnection.ISettings) {
    super({ credentials: 'same-origin', cache: 'no-store' });
  }

  handle(
    request: HttpRequest,
    options?: HttpHandlerOptions
  ): ReturnType<FetchHttpHandler['handle']> {
    rewriteProxyHeaders(request.headers, this._settings.token, getCookie);
    // The path as built: the proxy refuses the request if the browser
    // rewrote it on the way.
    request.headers[PATH_HEADER] = request.path;
    return super.handle(request, options);
  }
}

/**
 * Replace the SDK's signature by Jupyter's authentication, in place.
 *
 * The server re-signs every request with the stored key, so the SigV4 headers
 * are of no use past the browser; `Authorization` becomes `token <token>`
 * when the page has a token, and `X-XSRFToken` carries the `_xsrf` cookie.
 */
export function rewriteProxyHeaders(
  headers: Record<string, string>,
  token: string,
  cookie: (name: string) => string | undefined = getCookie
): void {
  for (const name of Object.keys(headers)) {
    const lower = name.toLowerCase();
    if (
      lower === 'authorization' ||
      lower === 'expect' ||
      lower === 'x-amz-date' ||
      lower === 'x-amz-security-token' ||
      lower === 'x-amz-content-sha256'
    ) {
      delete headers[name];
    }
  }
  if (token) {
    headers['authorization'] = `token ${token}`;
  }
  const xsrf = cookie('_xsrf');
  if (xsrf !== undefined) {
    headers['x-xsrftoken'] = xsrf;
  }
}
