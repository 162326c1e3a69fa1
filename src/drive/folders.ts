import { Contents } from '@jupyterlab/services';

import { IKeyPair, PathKind } from './bucket';
import { IDriveContext } from './context';
import { alreadyExistsError, notFoundError } from './errors';
import { copyName } from './naming';
import { encodeSegment, IResolvedPath, joinPath } from './paths';
import { Reader } from './reader';
import { checkKeyLength, intoItselfError } from './refusals';
import { Writer } from './writer';

/** How often a folder operation reports its progress at most (ms). */
export const PROGRESS_INTERVAL = 100;

/** The progress of a folder operation (`S3Drive.progress`). */
export interface IFolderProgress {
  /** What is being done. */
  operation: 'delete' | 'rename' | 'copy';
  /** The drive path of the folder. */
  path: string;
  /** The target path of a rename or copy. */
  newPath?: string;
  /** How many keys are done. */
  done: number;
  /** How many keys there are. */
  total: number;
  /** Why the operation failed; it is over. */
  error?: string;
}

/**
 * Deleting, renaming and copying files and folders. S3 has no folders: a
 * folder operation acts on every key below it, reports its progress, and a
 * failed copy removes the copies it made.
 */
export class FolderOperations {
  constructor(
    private readonly _context: IDriveContext,
    private readonly _reader: Reader,
    private readonly _writer: Writer,
    private readonly _progress: (progress: IFolderProgress) => void
  ) {}

  /**
   * Delete a file, or a folder with every key below it (`DeleteObjects` in
   * batches of 1000).
   */
  async delete(resolved: IResolvedPath): Promise<void> {
    const { bucket, checkpoints, etags } = this._context;
    const kind = await this._reader.existing(resolved);
    if (kind.type === 'directory') {
      const keys = (await bucket.listAll(resolved.folderKey)).map(
        object => object.Key as string
      );
      await this._withProgress('delete', resolved.path, keys.length, report =>
        bucket.deleteKeys(keys, report)
      );
      etags.forgetBelow(resolved.folderKey);
      this._reader.forgetFolders(resolved.folderKey);
    } else {
      await bucket.deleteObject(resolved.key);
      etags.forget(resolved.key);
      await this._context.quietly(
        'remove the checkpoint of',
        resolved.path,
        () => checkpoints.remove(resolved.key)
      );
    }
    await this._writer.keepParent(resolved.path);
  }

  /**
   * Rename a file (copy, delete) or a folder (every key below it: copy all,
   * then delete all). An existing target is never overwritten.
   *
   * @returns what the renamed path is
   */
  async rename(
    from: IResolvedPath,
    to: IResolvedPath
  ): Promise<Exclude<PathKind, null>> {
    const { bucket, checkpoints, etags, trans } = this._context;
    const kind = await this._reader.existing(from);
    if ((await bucket.stat(to)) !== null) {
      throw alreadyExistsError(to.path, trans);
    }
    if (kind.type === 'directory') {
      this._checkNotInside(from, to);
      const pairs = await this._folderPairs(from, to);
      await this._withProgress(
        'rename',
        from.path,
        pairs.length,
        async report => {
          await bucket.copyFolder(pairs, report);
          await bucket.deleteKeys(pairs.map(pair => pair.from));
        },
        to.path
      );
      etags.forgetBelow(from.folderKey);
      this._reader.forgetFolders(from.folderKey);
    } else {
      await this._writer.copyFile(from, to);
      await bucket.deleteObject(from.key);
      etags.forget(from.key);
      await this._context.quietly('move the checkpoint of', from.path, () =>
        checkpoints.move(from.key, to.key)
      );
    }
    await this._writer.keepParent(from.path);
    return kind;
  }

  /**
   * Copy a file or a folder into a folder, named as Jupyter server does
   * (`a.txt` → `a-Copy1.txt` when `a.txt` is taken).
   *
   * @returns the copy's path and what it is
   */
  async copy(
    from: IResolvedPath,
    dir: IResolvedPath
  ): Promise<{ path: string; type: Contents.ContentType }> {
    const { bucket, trans } = this._context;
    const kind = await this._reader.existing(from);
    const dirKind = dir.shadowed ? null : await bucket.stat(dir);
    if (dirKind?.type !== 'directory') {
      throw notFoundError(dir.path, trans);
    }
    const name = from.key.slice(from.key.lastIndexOf('/') + 1);
    const taken = await bucket.namesIn(dir.folderKey);
    const to = this._context.resolve(
      joinPath(dir.path, encodeSegment(copyName(name, taken)))
    );
    if (kind.type === 'directory') {
      this._checkNotInside(from, to);
      const pairs = await this._folderPairs(from, to);
      await this._withProgress(
        'copy',
        from.path,
        pairs.length,
        report => bucket.copyFolder(pairs, report),
        to.path
      );
    } else {
      await this._writer.copyFile(from, to);
    }
    return { path: to.path, type: kind.type };
  }

  private async _folderPairs(
    from: IResolvedPath,
    to: IResolvedPath
  ): Promise<IKeyPair[]> {
    const pairs = await this._context.bucket.folderPairs(
      from.folderKey,
      to.folderKey
    );
    // Refuse before copying anything rather than half-way.
    pairs.forEach(pair =>
      checkKeyLength(pair.to, to.path, this._context.trans)
    );
    return pairs;
  }

  private _checkNotInside(from: IResolvedPath, to: IResolvedPath): void {
    if (to.folderKey.startsWith(from.folderKey)) {
      throw intoItselfError(from.path, this._context.trans);
    }
  }

  /**
   * Run a folder operation, reporting its progress: `done: 0` first, then
   * per batch, `done: total` at the end, or an `error` when it fails.
   */
  private async _withProgress(
    operation: IFolderProgress['operation'],
    path: string,
    total: number,
    task: (report: (done: number) => void) => Promise<unknown>,
    newPath?: string
  ): Promise<void> {
    const emit = (done: number, error?: string) =>
      this._progress({ operation, path, newPath, done, total, error });
    emit(0);
    let reported = Date.now();
    try {
      // At most one report per `PROGRESS_INTERVAL`: each one updates a
      // notification on screen (200 copies made 200 updates).
      await task(done => {
        const now = Date.now();
        if (now - reported >= PROGRESS_INTERVAL) {
          reported = now;
          emit(done);
        }
      });
    } catch (error) {
      emit(0, (error as Error).message || String(error));
      throw error;
    }
    emit(total);
  }
}
