import { nullTranslator, TranslationBundle } from '@jupyterlab/translation';

import { InvalidPathError } from './paths';
import { ProxyRefusedKeyError, UnreachableKeyError } from './requestPath';

/**
 * An error of the S3 drive, with a message a user can act on.
 *
 * `code` is the S3 error code (`NoSuchKey`, `AccessDenied`,
 * `PreconditionFailed`…) or one of the drive's own (`NetworkError`,
 * `ReadOnly`, `AlreadyExists`, `Conflict`, `InvalidPath`…). `response` mimics
 * the part of a `Response` that JupyterLab reads from contents errors (a 404
 * lets it create a missing file, a 403 marks a folder read-only).
 */
export class S3DriveError extends Error {
  constructor(
    message: string,
    options: {
      code: string;
      status?: number;
      cause?: unknown;
    }
  ) {
    super(message);
    this.name = 'S3DriveError';
    this.code = options.code;
    this.status = options.status;
    this.cause = options.cause;
    if (options.status !== undefined) {
      this.response = {
        status: options.status,
        statusText: options.code
      };
    }
  }

  /** The S3 error code, or the drive's own code. */
  readonly code: string;

  /** The HTTP status, when the error came with one. */
  readonly status?: number;

  /** What JupyterLab reads of a failed contents request. */
  readonly response?: { status: number; statusText: string };
}

/**
 * What an error mapping needs to know to explain the error.
 */
export interface IErrorContext {
  /** The S3 endpoint, for "could not be reached"; never holds a secret. */
  endpoint: string;
  /** The bucket. */
  bucket: string;
  /** The drive path concerned, if any. */
  path?: string;
  /** Whether a 412 answered a create (`If-None-Match: *`) rather than an overwrite. */
  creating?: boolean;
  /**
   * Whether a browser reaches the endpoint across origins, where the same
   * failure is also what a missing CORS rule looks like.
   */
  crossOrigin?: boolean;
  /** The translation bundle. */
  trans?: TranslationBundle;
}

/** S3 codes and statuses that mean "the key or secret is wrong or not allowed". */
const ACCESS_CODES = new Set([
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'AllAccessDisabled',
  'InvalidToken',
  'ExpiredToken',
  'Forbidden'
]);

/** Codes of an S3 service that is overloaded; the SDK retries them first. */
const THROTTLING_CODES = new Set([
  'SlowDown',
  'ServiceUnavailable',
  'Throttling',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequestsException'
]);

/** Error codes of a request that never got an answer. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'TimeoutError',
  'RequestTimeout',
  'NetworkError'
]);

/**
 * Map any error thrown while talking to S3 to an `S3DriveError`.
 */
export function toDriveError(
  error: unknown,
  context: IErrorContext
): S3DriveError {
  if (error instanceof S3DriveError) {
    return error;
  }
  const trans =
    context.trans ?? nullTranslator.load('jupyterlab_s3_connectors');
  if (error instanceof InvalidPathError) {
    return new S3DriveError(invalidPathMessage(error, trans), {
      code: error.code,
      status: 400,
      cause: error
    });
  }
  if (error instanceof UnreachableKeyError) {
    return new S3DriveError(
      trans.__(
        'The key of "%1" cannot be carried by a URL as it is (a key that is only "." or ".."): open it with another S3 tool.',
        context.path ?? error.key
      ),
      { code: error.code, status: 400, cause: error }
    );
  }
  if (error instanceof ProxyRefusedKeyError) {
    const path = context.path ?? error.key;
    const messages = {
      backslash: trans.__(
        '"%1" has a backslash in its key, which the proxy cannot forward safely: edit the connector to use the direct backend to reach it.',
        path
      ),
      control: trans.__(
        '"%1" has a line break or NUL character in its key, which the proxy cannot forward safely: edit the connector to use the direct backend to reach it.',
        path
      ),
      dot: trans.__(
        '"%1" has a "." or ".." segment in its key, which the proxy cannot forward safely: edit the connector to use the direct backend to reach it.',
        path
      )
    };
    return new S3DriveError(messages[error.reason], {
      code: error.code,
      status: 400,
      cause: error
    });
  }
  const info = describe(error);
  const endpoint = safeEndpoint(context.endpoint);
  const bucket = context.bucket;
  const path = context.path ?? '';
  const attempts = info.attempts;

  if (info.network && context.crossOrigin) {
    return new S3DriveError(
      trans.__(
        'The bucket could not be reached at %1. If the S3 service is running, the bucket probably has no CORS rule allowing this page (%2): add one (see the README), or edit the connector to use the proxy backend.',
        endpoint,
        typeof location === 'undefined' ? '' : location.origin
      ),
      { code: 'NetworkError', cause: error }
    );
  }
  if (info.network || info.status === 502 || info.status === 504) {
    return new S3DriveError(
      trans.__(
        'The bucket could not be reached at %1: check that the S3 service is running, then try again.',
        endpoint
      ),
      { code: info.network ? 'NetworkError' : info.code, cause: error }
    );
  }
  if (info.code === 'NoSuchBucket') {
    return new S3DriveError(
      trans.__(
        'The bucket "%1" does not exist at %2: edit the connector\'s bucket.',
        bucket,
        endpoint
      ),
      { code: info.code, status: 404, cause: error }
    );
  }
  if (ACCESS_CODES.has(info.code) || info.status === 403) {
    return new S3DriveError(
      trans.__(
        'Access to the bucket "%1" was refused (%2): edit the connector\'s access key and secret, or ask the bucket\'s owner for access.',
        bucket,
        info.code || '403'
      ),
      { code: info.code || 'AccessDenied', status: 403, cause: error }
    );
  }
  if (
    info.code === 'NoSuchKey' ||
    info.code === 'NotFound' ||
    info.status === 404
  ) {
    return notFoundError(path, trans, error, info.code || 'NoSuchKey');
  }
  if (info.code === 'PreconditionFailed' || info.status === 412) {
    return context.creating
      ? alreadyExistsError(path, trans, 'PreconditionFailed', error)
      : new S3DriveError(
          trans.__(
            '"%1" changed in the bucket since it was opened: reload it from the bucket (File ▸ Reload File from Disk, or Reload Notebook from Disk) or save your version under another name.',
            path
          ),
          { code: 'PreconditionFailed', status: 409, cause: error }
        );
  }
  if (
    THROTTLING_CODES.has(info.code) ||
    info.status === 503 ||
    info.status === 429
  ) {
    return new S3DriveError(
      trans.__(
        'The S3 service at %1 is overloaded (%2) and still refused after %3 attempts: wait a moment, then try again.',
        endpoint,
        info.code || String(info.status),
        String(attempts || 1)
      ),
      { code: info.code || 'SlowDown', status: info.status, cause: error }
    );
  }
  return new S3DriveError(
    trans.__(
      'The S3 service at %1 answered an error for "%2": %3 (%4).',
      endpoint,
      path,
      info.message,
      info.code || String(info.status ?? '')
    ),
    { code: info.code || 'UnknownError', status: info.status, cause: error }
  );
}

/**
 * A "not found" error that JupyterLab recognizes (status 404).
 */
export function notFoundError(
  path: string,
  trans: TranslationBundle,
  cause?: unknown,
  code = 'NoSuchKey'
): S3DriveError {
  return new S3DriveError(
    trans.__(
      '"%1" was not found in the bucket: it may have been deleted or renamed.',
      path
    ),
    { code, status: 404, cause }
  );
}

/**
 * An "already exists" error (status 409).
 */
export function alreadyExistsError(
  path: string,
  trans: TranslationBundle,
  code = 'AlreadyExists',
  cause?: unknown
): S3DriveError {
  return new S3DriveError(
    trans.__(
      '"%1" already exists in the bucket: choose another name, or delete it first.',
      path
    ),
    { code, status: 409, cause }
  );
}

/**
 * Whether an error is an S3 "not found" (404, `NoSuchKey`, `NotFound`).
 */
export function isNotFound(error: unknown): boolean {
  const info = describe(error);
  return (
    info.code === 'NoSuchKey' ||
    info.code === 'NotFound' ||
    (info.status === 404 && info.code !== 'NoSuchBucket')
  );
}

/**
 * The endpoint without user-info, query or fragment, for messages.
 */
export function safeEndpoint(endpoint: string): string {
  try {
    const url = new URL(endpoint);
    url.username = '';
    url.password = '';
    url.search = '';
    url.hash = '';
    return url.toString().replace(/\/$/, '');
  } catch {
    return endpoint.replace(/\/\/[^@/]*@/, '//').split(/[?#]/)[0];
  }
}

/**
 * What an SDK, network or other error says, in a uniform shape.
 */
function describe(error: unknown): {
  code: string;
  status?: number;
  message: string;
  attempts?: number;
  network: boolean;
} {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- SDK errors carry untyped metadata
  const e = (error ?? {}) as any;
  const metadata = e.$metadata ?? {};
  const status: number | undefined =
    typeof metadata.httpStatusCode === 'number'
      ? metadata.httpStatusCode
      : undefined;
  const code: string =
    (typeof e.Code === 'string' && e.Code) ||
    (typeof e.name === 'string' && e.name !== 'Error' && e.name) ||
    (typeof e.code === 'string' && e.code) ||
    '';
  const message: string =
    typeof e.message === 'string' && e.message ? e.message : String(error);
  const network =
    status === undefined &&
    (NETWORK_CODES.has(code) ||
      NETWORK_CODES.has(e.code) ||
      NETWORK_CODES.has(e.cause?.code) ||
      // fetch: "TypeError: Failed to fetch" (Chromium), "NetworkError when
      // attempting to fetch resource." (Firefox), "Load failed" (Safari).
      (e.name === 'TypeError' && /fetch|network|load failed/i.test(message)) ||
      /ECONNREFUSED|ENOTFOUND|socket hang up/.test(message));
  return {
    code: code === 'TypeError' ? '' : code,
    status,
    message,
    attempts: metadata.attempts,
    network
  };
}

/**
 * The translated message of an invalid path.
 */
function invalidPathMessage(
  error: InvalidPathError,
  trans: TranslationBundle
): string {
  switch (error.reason) {
    case 'reserved':
      return trans.__(
        '"%1" is not a valid name: names starting with "␀" are reserved for keys that JupyterLab cannot show as they are.',
        error.subject
      );
    case 'parent':
      return trans.__(
        '"%1" leads out of the bucket\'s root folder.',
        error.subject
      );
    case 'notFolder':
      return trans.__(
        '"%1" is not a valid path: a "␀=" name is a file, not a folder.',
        error.subject
      );
    default:
      return trans.__(
        'The key "%1" is outside the connector\'s prefix.',
        error.subject
      );
  }
}
