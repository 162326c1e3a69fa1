import { S3Client } from '@aws-sdk/client-s3';
import { ServerConnection } from '@jupyterlab/services';
import { TranslationBundle } from '@jupyterlab/translation';

import { IFileType } from './content';

/**
 * The options of an `S3Drive` (`S3Drive.IOptions`).
 */
export interface IS3DriveOptions {
  /** The drive's name (the `name:` of its paths). */
  name: string;
  /** What messages call the drive (default: its name). */
  title?: string;
  /** The S3 client, from `createS3Client`. */
  client: S3Client;
  /** The bucket. */
  bucket: string;
  /** The folder of the bucket that is the drive's root (`''` for all). */
  prefix: string;
  /** Refuse every change, without calling S3. */
  readOnly: boolean;
  /** The Jupyter server settings (default: `makeSettings()`). */
  serverSettings?: ServerConnection.ISettings;
  /** The type, format and mimetype of a path (default: by extension). */
  fileType?: (path: string) => IFileType;
  /** The download URL of a key (default: a presigned GET). */
  downloadUrl?: (key: string) => Promise<string>;
  /** The S3 endpoint shown in errors (default: the client's). */
  endpoint?: string;
  /**
   * Whether the browser reaches the endpoint across origins (the `direct`
   * backend): a blocked request may then be a missing CORS rule.
   */
  crossOrigin?: boolean;
  /**
   * Whether requests go through the Jupyter server's proxy, which refuses
   * some keys by design (`proxyRefusal`).
   */
  proxied?: boolean;
  /** The `MaxKeys` of listing requests (default: the server's, 1000). */
  pageSize?: number;
  /** The translation bundle. */
  trans?: TranslationBundle;
}
