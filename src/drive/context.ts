import { TranslationBundle } from '@jupyterlab/translation';

import { Bucket } from './bucket';
import { Checkpoints } from './checkpoints';
import { FileTypeResolver } from './content';
import { KnownVersions } from './etags';
import { ModelFactory } from './models';
import { IResolvedPath } from './paths';

/**
 * What the parts of a drive (`reader.ts`, `writer.ts`, `folders.ts`) share:
 * the bucket, the versions known of its objects, and how paths and models are
 * made. One per drive.
 */
export interface IDriveContext {
  /** The drive's name, in messages. */
  readonly name: string;
  /** The bucket and its client. */
  readonly bucket: Bucket;
  /** The ETags the drive holds and has seen. */
  readonly etags: KnownVersions;
  /** The checkpoints of the bucket's objects. */
  readonly checkpoints: Checkpoints;
  /** The models of files and folders. */
  readonly models: ModelFactory;
  /** The type, format and mimetype of a path. */
  readonly fileType: FileTypeResolver;
  /** The translation bundle. */
  readonly trans: TranslationBundle;
  /** Resolve a drive path to its key. */
  resolve(path: string): IResolvedPath;
  /**
   * Run a side task (checkpoint move, folder marker…) whose failure must not
   * fail the operation: it is logged.
   */
  quietly(
    what: string,
    path: string,
    task: () => Promise<unknown>
  ): Promise<void>;
}
