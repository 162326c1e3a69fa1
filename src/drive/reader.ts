import { Contents } from '@jupyterlab/services';

import { readBodyBytes } from './body';
import { IListingPage, PathKind } from './bucket';
import { IDriveContext } from './context';
import { notFoundError } from './errors';
import { unquote } from './models';
import {
  CHECKPOINT_DIR,
  encodeSegment,
  encodeShadowedSegment,
  IResolvedPath,
  joinPath
} from './paths';

/**
 * How long after a save the first head of the file is taken for JupyterLab's
 * check of the save (see `head`).
 */
const LAST_SAVE_CHECK_MS = 10000;

/**
 * The reads of a drive: folder listings, files with their content, and the
 * models of a head.
 */
export class Reader {
  constructor(private readonly _context: IDriveContext) {}

  /**
   * Get a file or a folder listing, as `Contents.IDrive.get`.
   */
  async get(
    resolved: IResolvedPath,
    options: Contents.IFetchOptions
  ): Promise<Contents.IModel> {
    const { bucket, trans } = this._context;
    const withContent = options.content ?? true;
    if (resolved.isRoot || options.type === 'directory') {
      return this.directory(resolved, withContent);
    }
    // A document (type given) is a file: skip the folder check.
    const isFile =
      resolved.shadowed ||
      options.type === 'notebook' ||
      options.type === 'file';
    if (!isFile && withContent) {
      // As `Bucket.stat` (a folder wins over an object of the same name),
      // but the first page of the folder's listing tells whether it is one.
      // A folder already seen in a listing is listed first, so that visiting
      // it asks no `HeadObject` that would answer 404.
      const known = this._folders.has(resolved.folderKey);
      const [head, first] = await Promise.all([
        known ? undefined : bucket.head(resolved.key),
        bucket.listLevelPage(resolved.folderKey)
      ]);
      if (first.objects.length > 0 || first.prefixes.length > 0) {
        return this.directory(resolved, true, first);
      }
      this._folders.delete(resolved.folderKey);
      const file = known ? await bucket.head(resolved.key) : head;
      if (!file) {
        throw notFoundError(resolved.path, trans);
      }
    } else if (!isFile) {
      const kind = await bucket.stat(resolved);
      if (kind === null) {
        throw notFoundError(resolved.path, trans);
      }
      if (kind.type === 'directory') {
        return this._context.models.directory(resolved.path, null, '');
      }
      return this.head(resolved, kind);
    } else if (!withContent) {
      const head = await bucket.head(resolved.key);
      if (head === null) {
        throw notFoundError(resolved.path, trans);
      }
      return this.head(resolved, { type: 'file', head });
    }
    return this._file(resolved, options);
  }

  /**
   * A folder's model, with its listing when `withContent`.
   *
   * @param first the first page of the listing, when it was already fetched
   */
  async directory(
    resolved: IResolvedPath,
    withContent: boolean,
    first?: IListingPage
  ): Promise<Contents.IModel> {
    const { bucket, models, trans } = this._context;
    if (resolved.shadowed) {
      throw notFoundError(resolved.path, trans);
    }
    const folderKey = resolved.folderKey;
    if (!withContent) {
      if (!resolved.isRoot && !(await bucket.hasKeysBelow(folderKey))) {
        throw notFoundError(resolved.path, trans);
      }
      return models.directory(resolved.path, null, '');
    }
    const { objects, prefixes } = await bucket.listLevel(folderKey, first);
    if (!resolved.isRoot && objects.length === 0 && prefixes.length === 0) {
      this._folders.delete(folderKey);
      throw notFoundError(resolved.path, trans);
    }
    const names = prefixes.map(prefix => prefix.slice(folderKey.length, -1));
    // The checkpoint folder is hidden where it is the drive's own (a bucket
    // without versioning); an object of the same name still shows, as `␀=`.
    const hidden =
      names.includes(CHECKPOINT_DIR) &&
      !(await this._context.checkpoints.versioned())
        ? CHECKPOINT_DIR
        : null;
    const folders = new Set(names.filter(name => name !== hidden));
    this._folders.add(folderKey);
    folders.forEach(name => this._folders.add(`${folderKey}${name}/`));
    const children: Contents.IModel[] = [];
    let modified = '';
    for (const object of objects) {
      const key = object.Key as string;
      if (key === folderKey && !object.Size) {
        // The folder's own zero-byte marker.
        modified = object.LastModified?.toISOString() ?? '';
        continue;
      }
      // `key === folderKey` with content: a file with an empty name (`␀`).
      const raw = key.slice(folderKey.length);
      const name =
        folders.has(raw) || raw === hidden
          ? encodeShadowedSegment(raw)
          : encodeSegment(raw);
      this._context.etags.seen(key, object.ETag);
      children.push(
        models.file(joinPath(resolved.path, name), {
          size: object.Size ?? 0,
          lastModified: object.LastModified,
          etag: object.ETag
        })
      );
    }
    for (const raw of folders) {
      const path = joinPath(resolved.path, encodeSegment(raw));
      children.push(models.directory(path, null, ''));
    }
    return models.directory(resolved.path, children, modified);
  }

  /**
   * The model of a file from its head.
   */
  head(
    resolved: IResolvedPath,
    kind: PathKind & { type: 'file' }
  ): Contents.IModel {
    const { head } = kind;
    const saved = this._takeLastSave(resolved.key);
    if (saved && unquote(head.ETag) !== unquote(saved.etag)) {
      // JupyterLab asks for the file's hash right after a save and takes it
      // for the document's. Another writer's version found then must not
      // pass for the one the document holds (its next save would overwrite
      // it silently): the answer is the save's own model, and the next check
      // finds the other version, so JupyterLab shows "File Changed".
      return saved.model;
    }
    this._context.etags.headed(resolved.key, head.ETag);
    return this._context.models.file(resolved.path, {
      size: head.ContentLength ?? 0,
      lastModified: head.LastModified,
      etag: head.ETag
    });
  }

  /**
   * Remember a save, for the head JupyterLab takes right after it.
   */
  noteSave(key: string, etag: string, model: Contents.IModel): void {
    this._lastSave = { key, etag, model, at: Date.now() };
  }

  /**
   * Forget the folders seen at and below a folder key (it was deleted or
   * moved).
   */
  forgetFolders(folderKey: string): void {
    for (const key of [...this._folders]) {
      if (key.startsWith(folderKey)) {
        this._folders.delete(key);
      }
    }
  }

  /**
   * What an existing path is; a 404 when it does not exist.
   */
  async existing(resolved: IResolvedPath): Promise<Exclude<PathKind, null>> {
    const { bucket, trans } = this._context;
    const kind = await bucket.stat(resolved);
    if (kind === null) {
      throw notFoundError(resolved.path, trans);
    }
    if (kind.type === 'directory' && (await this._isCheckpointDir(resolved))) {
      // The drive's own hidden folder is not the user's to move or delete;
      // an object of the same name is.
      const head = await bucket.head(resolved.key);
      if (head === null) {
        throw notFoundError(resolved.path, trans);
      }
      return { type: 'file', head };
    }
    return kind;
  }

  private async _file(
    resolved: IResolvedPath,
    options: Contents.IFetchOptions
  ): Promise<Contents.IModel> {
    const answer = await this._context.bucket.getObject(resolved.key);
    const bytes = await readBodyBytes(answer.Body, answer.ContentLength);
    if (resolved.key.endsWith('/') && bytes.length === 0) {
      // A folder marker is not a file.
      throw notFoundError(resolved.path, this._context.trans);
    }
    const model = this._context.models.fileWithContent(
      resolved.path,
      bytes,
      {
        size: bytes.length,
        lastModified: answer.LastModified,
        etag: answer.ETag
      },
      options
    );
    this._context.etags.held(resolved.key, answer.ETag);
    return model;
  }

  /**
   * The last save, when it was of `key` and a moment ago; asked once.
   */
  private _takeLastSave(
    key: string
  ): { model: Contents.IModel; etag: string } | null {
    const last = this._lastSave;
    if (!last || last.key !== key) {
      return null;
    }
    this._lastSave = null;
    return Date.now() - last.at < LAST_SAVE_CHECK_MS ? last : null;
  }

  /**
   * Whether a path is a checkpoint folder of the drive (a bucket without
   * versioning keeps checkpoints in `.ipynb_checkpoints/`).
   */
  private async _isCheckpointDir(resolved: IResolvedPath): Promise<boolean> {
    return (
      !resolved.isRoot &&
      resolved.key.slice(resolved.key.lastIndexOf('/') + 1) ===
        CHECKPOINT_DIR &&
      !(await this._context.checkpoints.versioned())
    );
  }

  /** Folder keys seen in listings: visiting them needs no head. */
  private readonly _folders = new Set<string>();
  private _lastSave: {
    key: string;
    etag: string;
    model: Contents.IModel;
    at: number;
  } | null = null;
}
