import { S3Client } from '@aws-sdk/client-s3';
import { TranslationBundle } from '@jupyterlab/translation';

import { IErrorContext, S3DriveError, toDriveError } from './errors';

/**
 * How a drive reports what failed: every error of a call becomes an
 * `S3DriveError` that names the endpoint, the bucket and the path; a side
 * task whose failure must not fail the call is logged.
 */
export class ErrorReporter {
  constructor(options: ErrorReporter.IOptions) {
    this._options = options;
    this._endpoint = options.endpoint;
    if (this._endpoint === undefined) {
      void endpointOf(options.client).then(endpoint => {
        this._endpoint = this._endpoint ?? endpoint;
      });
    }
  }

  /**
   * The error of a call on `path`, as the drive rejects it.
   *
   * @param creating whether the call creates `path` (a 412 then means it
   *   exists already)
   */
  async map(
    error: unknown,
    path: string,
    creating = false
  ): Promise<S3DriveError> {
    if (this._endpoint === undefined) {
      this._endpoint = await endpointOf(this._options.client);
    }
    return toDriveError(error, this._context(path, creating));
  }

  /**
   * Log a failure that does not fail the call (checkpoints, folder markers).
   */
  warn(what: string, path: string, error: unknown): void {
    const mapped = toDriveError(error, this._context(path, false));
    console.warn(
      `S3 drive "${this._options.name}": could not ${what} "${path}": ${mapped.message}`
    );
  }

  /**
   * Run a side task whose failure must not fail the call: it is logged.
   */
  async quietly(
    what: string,
    path: string,
    task: () => Promise<unknown>
  ): Promise<void> {
    try {
      await task();
    } catch (error) {
      this.warn(what, path, error);
    }
  }

  private _context(path: string, creating: boolean): IErrorContext {
    return {
      endpoint: this._endpoint ?? '',
      bucket: this._options.bucket,
      path,
      creating,
      crossOrigin: this._options.crossOrigin,
      trans: this._options.trans
    };
  }

  private readonly _options: ErrorReporter.IOptions;
  private _endpoint?: string;
}

/**
 * A namespace for `ErrorReporter` statics.
 */
export namespace ErrorReporter {
  /** The options of a reporter. */
  export interface IOptions {
    /** The drive's name. */
    name: string;
    /** The bucket. */
    bucket: string;
    /** The client, whose endpoint is named when none is given. */
    client: S3Client;
    /** The endpoint named in messages. */
    endpoint?: string;
    /** Whether the browser reaches the endpoint across origins. */
    crossOrigin: boolean;
    /** The translation bundle. */
    trans: TranslationBundle;
  }
}

/**
 * The endpoint a client was configured with, as a URL.
 */
export async function endpointOf(client: S3Client): Promise<string> {
  try {
    const endpoint = await client.config.endpoint?.();
    if (!endpoint) {
      return '';
    }
    const port = endpoint.port ? `:${endpoint.port}` : '';
    return `${endpoint.protocol}//${endpoint.hostname}${port}${endpoint.path}`;
  } catch {
    return '';
  }
}
