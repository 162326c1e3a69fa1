import {
  DeleteObjectCommand,
  GetObjectCommand,
  S3Client
} from '@aws-sdk/client-s3';
import { Contents, ServerConnection } from '@jupyterlab/services';
import { nullTranslator, TranslationBundle } from '@jupyterlab/translation';
import { ISignal, Signal } from '@lumino/signaling';

import { Checkpoints } from './checkpoints';
import { ConditionalSupport, ConditionalWrites } from './conditional';
import {
  defaultFileType,
  emptyNotebook,
  encodeContent,
  FileTypeResolver,
  IFileType,
  NOTEBOOK_MIMETYPE,
  serializeNotebook
} from './content';
import {
  alreadyExistsError,
  isNotFound,
  notFoundError,
  S3DriveError,
  toDriveError
} from './errors';
import { KnownVersions } from './etags';
import { ModelFactory, now, unquote } from './models';
import { MultipartUpload } from './multipart';
import { copyName, normalizeExtension, untitledName } from './naming';
import {
  copyFolder,
  copyKey,
  deleteKeys,
  folderPairs,
  hasKeysBelow,
  headObject,
  IListingPage,
  listAll,
  listLevel,
  listLevelPage,
  namesIn,
  PathKind,
  statPath
} from './operations';
import {
  CHECKPOINT_DIR,
  encodeSegment,
  encodeShadowedSegment,
  IResolvedPath,
  joinPath,
  keyByteLength,
  MAX_KEY_BYTES,
  normalizePrefix,
  resolvePath,
  splitLast
} from './paths';
import { ProxyRefusedKeyError, proxyRefusal } from './requestPath';
import { presignedDownload } from './transport';
import { ChunkedUploads } from './uploads';

/**
 * How long after a save the first head of the file is taken for JupyterLab's
 * check of the save (see `_headModel`).
 */
const LAST_SAVE_CHECK_MS = 10000;

/**
 * A JupyterLab drive on an S3 bucket (or a prefix of it).
 *
 * - Paths map to keys as `paths.ts` documents; keys that JupyterLab cannot
 *   show as they are get reversible `␀` names.
 * - Writes are conditional: a save overwrites only the version the drive last
 *   saw (`If-Match` the ETag of the last get, listing or save of the path)
 *   and creates only what does not exist (`If-None-Match: *`).
 * - Chunked uploads become one multipart upload (`uploads.ts`).
 * - Checkpoints are versions or one hidden copy (`checkpoints.ts`), and never
 *   reject.
 * - Every mutation emits `fileChanged`; folder operations report `progress`.
 */
export class S3Drive implements Contents.IDrive {
  constructor(options: S3Drive.IOptions) {
    this.name = options.name;
    this.bucket = options.bucket;
    this.prefix = normalizePrefix(options.prefix);
    this.readOnly = options.readOnly;
    this.serverSettings =
      options.serverSettings ?? ServerConnection.makeSettings();
    this._client = options.client;
    this._fileType = options.fileType ?? defaultFileType;
    this._downloadUrl = options.downloadUrl;
    this._pageSize = options.pageSize;
    this._trans =
      options.trans ?? nullTranslator.load('jupyterlab_s3_connectors');
    this._models = new ModelFactory({
      readOnly: this.readOnly,
      fileType: this._fileType,
      trans: this._trans
    });
    this._checkpoints = new Checkpoints(this._client, this.bucket);
    this._writes = new ConditionalWrites(this._client, this.bucket);
    this._endpoint = options.endpoint;
    this._crossOrigin = options.crossOrigin ?? false;
    this._proxied = options.proxied ?? false;
    if (this._endpoint === undefined) {
      void Private.endpointOf(this._client).then(endpoint => {
        this._endpoint = this._endpoint ?? endpoint;
      });
    }
  }

  /** The drive's name, the first part of its paths (`name:path`). */
  readonly name: string;

  /** The bucket. */
  readonly bucket: string;

  /** The key prefix that is the drive's root (`''` or ending with `/`). */
  readonly prefix: string;

  /** Whether every change is refused. */
  readonly readOnly: boolean;

  /** The Jupyter server settings. */
  readonly serverSettings: ServerConnection.ISettings;

  /** A signal emitted when a file operation takes place. */
  get fileChanged(): ISignal<this, Contents.IChangedArgs> {
    return this._fileChanged;
  }

  /**
   * A signal emitted as a folder operation (delete, rename, copy) advances:
   * once with `done: 0` at the start, then as keys are handled, and last with
   * `done === total`. A failed operation emits no final value: the promise of
   * the operation rejects.
   */
  get progress(): ISignal<this, S3Drive.IProgress> {
    return this._progress;
  }

  /**
   * Whether the S3 server checks the conditions of writes (`If-Match`,
   * `If-None-Match`): known after the first overwrite. Where it doesn't, the
   * drive checks them itself just before each write, which narrows the window
   * of a lost update without closing it.
   */
  get conditionalWrites(): ConditionalSupport {
    return this._writes.support;
  }

  /** Emitted once `conditionalWrites` is known. */
  get conditionalWritesChanged(): ISignal<
    ConditionalWrites,
    ConditionalSupport
  > {
    return this._writes.supportChanged;
  }

  /** Whether the drive is disposed. */
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /**
   * Dispose the drive: pending chunked uploads are aborted.
   */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._uploads.abortAll();
    Signal.clearData(this);
  }

  /**
   * Get a file or a folder listing. Content is included unless
   * `content: false`, as Jupyter server does.
   */
  async get(
    localPath: string,
    options: Contents.IFetchOptions = {}
  ): Promise<Contents.IModel> {
    try {
      this._checkAlive();
      const resolved = this._resolve(localPath);
      const withContent = options.content ?? true;
      if (resolved.isRoot || options.type === 'directory') {
        return await this._getDirectory(resolved, withContent);
      }
      // A document (type given) is a file: skip the folder check.
      const isFile =
        resolved.shadowed ||
        options.type === 'notebook' ||
        options.type === 'file';
      if (!isFile && withContent) {
        // As `statPath` (a folder wins over an object of the same name), but
        // the first page of the folder's listing tells whether it is one.
        const [head, first] = await Promise.all([
          headObject(this._client, this.bucket, resolved.key),
          listLevelPage(
            this._client,
            this.bucket,
            resolved.folderKey,
            this._pageSize
          )
        ]);
        if (first.objects.length > 0 || first.prefixes.length > 0) {
          return await this._getDirectory(resolved, true, first);
        }
        if (head === null) {
          throw notFoundError(resolved.path, this._trans);
        }
      } else if (!isFile) {
        const kind = await statPath(this._client, this.bucket, resolved);
        if (kind === null) {
          throw notFoundError(resolved.path, this._trans);
        }
        if (kind.type === 'directory') {
          // `statPath` found keys below it.
          return this._models.directory(resolved.path, null, '');
        }
        return this._headModel(resolved, kind);
      } else if (!withContent) {
        const head = await headObject(this._client, this.bucket, resolved.key);
        if (head === null) {
          throw notFoundError(resolved.path, this._trans);
        }
        return this._headModel(resolved, { type: 'file', head });
      }
      return await this._getFile(resolved, options);
    } catch (error) {
      throw await this._error(error, localPath);
    }
  }

  /**
   * The S3 key of a drive path (a folder's ends with `/`), through the
   * reversible `␀` mapping of `paths.ts`.
   */
  keyOf(localPath: string, isFolder = false): string {
    const resolved = resolvePath(this.prefix, localPath);
    return isFolder && !resolved.isRoot ? resolved.folderKey : resolved.key;
  }

  /**
   * The URL to download a file: the `downloadUrl` option (`createDownloadUrl`
   * of the transport), else a presigned GET as an attachment.
   */
  async getDownloadUrl(localPath: string): Promise<string> {
    try {
      this._checkAlive();
      const { key } = this._resolve(localPath);
      if (this._downloadUrl) {
        return await this._downloadUrl(key);
      }
      return await presignedDownload(this._client, this.bucket, key);
    } catch (error) {
      throw await this._error(error, localPath);
    }
  }

  /**
   * Create a new untitled notebook, file or folder, named as Jupyter server
   * does (`Untitled.ipynb`, `untitled1.txt`, `Untitled Folder 2`…). Folders
   * are zero-byte `name/` markers.
   */
  async newUntitled(
    options: Contents.ICreateOptions = {}
  ): Promise<Contents.IModel> {
    this._checkWritable();
    let path = options.path ?? '';
    try {
      this._checkAlive();
      const dir = this._resolve(path);
      const ext = normalizeExtension(options.ext ?? '');
      const type = options.type ?? (ext === '.ipynb' ? 'notebook' : 'file');
      const taken = await namesIn(
        this._client,
        this.bucket,
        dir.folderKey,
        this._pageSize
      );
      const name = untitledName(type, ext, taken);
      path = joinPath(dir.path, encodeSegment(name));
      const key = dir.folderKey + name;
      let model: Contents.IModel;
      if (type === 'directory') {
        this._checkKeyLength(key + '/', path);
        await this._putObject(key + '/', new Uint8Array(0), undefined, true);
        model = this._models.directory(path, null, now());
      } else {
        this._checkKeyLength(key, path);
        const notebook = type === 'notebook';
        const body = notebook
          ? new TextEncoder().encode(serializeNotebook(emptyNotebook()))
          : new Uint8Array(0);
        const contentType = notebook
          ? NOTEBOOK_MIMETYPE
          : this._fileType(path).mimetype;
        await this._putObject(key, body, contentType, true);
        model = await this.get(path, { content: false, type });
      }
      this._fileChanged.emit({ type: 'new', oldValue: null, newValue: model });
      return model;
    } catch (error) {
      throw await this._error(error, path, true);
    }
  }

  /**
   * Delete a file, or a folder with every key below it (`DeleteObjects` in
   * batches of 1000).
   */
  async delete(localPath: string): Promise<void> {
    this._checkWritable();
    try {
      this._checkAlive();
      const resolved = this._resolveNotRoot(localPath);
      const kind = await this._existing(resolved);
      if (kind.type === 'directory') {
        const keys = (
          await listAll(
            this._client,
            this.bucket,
            resolved.folderKey,
            this._pageSize
          )
        ).map(object => object.Key as string);
        await this._withProgress('delete', resolved.path, keys.length, report =>
          deleteKeys(this._client, this.bucket, keys, report)
        );
        this._etags.forgetBelow(resolved.folderKey);
      } else {
        await this._client.send(
          new DeleteObjectCommand({ Bucket: this.bucket, Key: resolved.key })
        );
        this._etags.forget(resolved.key);
        await this._quietly('remove the checkpoint of', resolved.path, () =>
          this._checkpoints.remove(resolved.key)
        );
      }
      await this._keepParent(resolved.path);
      this._fileChanged.emit({
        type: 'delete',
        oldValue: { path: resolved.path },
        newValue: null
      });
    } catch (error) {
      throw await this._error(error, localPath);
    }
  }

  /**
   * Rename a file (copy, delete) or a folder (every key below it: copy all,
   * then delete all). An existing target is never overwritten.
   */
  async rename(
    oldLocalPath: string,
    newLocalPath: string
  ): Promise<Contents.IModel> {
    this._checkWritable();
    try {
      this._checkAlive();
      const from = this._resolveNotRoot(oldLocalPath);
      const to = this._resolveNotRoot(newLocalPath);
      if (from.path === to.path) {
        return await this.get(to.path, { content: false });
      }
      const kind = await this._existing(from);
      if ((await statPath(this._client, this.bucket, to)) !== null) {
        throw alreadyExistsError(to.path, this._trans);
      }
      if (kind.type === 'directory') {
        this._checkNotInside(from, to);
        const pairs = await this._folderPairs(from, to);
        await this._withProgress(
          'rename',
          from.path,
          pairs.length,
          async report => {
            await copyFolder(this._client, this.bucket, pairs, report);
            await deleteKeys(
              this._client,
              this.bucket,
              pairs.map(pair => pair.from)
            );
          },
          to.path
        );
        this._etags.forgetBelow(from.folderKey);
      } else {
        await this._copyFile(from, to);
        await this._client.send(
          new DeleteObjectCommand({ Bucket: this.bucket, Key: from.key })
        );
        this._etags.forget(from.key);
        await this._quietly('move the checkpoint of', from.path, () =>
          this._checkpoints.move(from.key, to.key)
        );
      }
      await this._keepParent(from.path);
      const model = await this.get(to.path, {
        content: false,
        type: kind.type === 'directory' ? 'directory' : undefined
      });
      this._fileChanged.emit({
        type: 'rename',
        oldValue: { path: from.path },
        newValue: model
      });
      return model;
    } catch (error) {
      throw await this._error(error, newLocalPath);
    }
  }

  /**
   * Save a file: a `PutObject`, or one multipart upload for the chunks
   * (`chunk` 1, 2…, -1) of a large upload. The write is conditional:
   * `If-Match` the ETag last seen, or `If-None-Match: *` for a new file.
   * `type: 'directory'` creates a folder marker.
   */
  async save(
    localPath: string,
    options: Partial<Contents.IModel> & Contents.IContentProvisionOptions = {}
  ): Promise<Contents.IModel> {
    this._checkWritable();
    let creating = false;
    try {
      this._checkAlive();
      const resolved = this._resolveNotRoot(localPath);
      if (options.type === 'directory') {
        this._checkKeyLength(resolved.folderKey, resolved.path);
        await this._putMarker(resolved.folderKey);
        return this._emitSave(
          this._models.directory(resolved.path, null, now())
        );
      }
      this._checkKeyLength(resolved.key, resolved.path);
      creating = !this._etags.has(resolved.key);
      if (options.content === undefined || options.content === null) {
        throw new S3DriveError(
          this._trans.__('No content to save in "%1".', resolved.path),
          { code: 'NoContent', status: 400 }
        );
      }
      if (options.chunk !== undefined && options.chunk !== null) {
        return await this._saveChunk(resolved, options, options.chunk);
      }
      const bytes = this._encode(resolved.path, options);
      return await this._put(resolved, bytes, options);
    } catch (error) {
      throw await this._error(error, localPath, creating);
    }
  }

  /**
   * Copy a file or a folder into a folder, named as Jupyter server does
   * (`a.txt` → `a-Copy1.txt` when `a.txt` is taken).
   */
  async copy(localPath: string, toLocalDir: string): Promise<Contents.IModel> {
    this._checkWritable();
    try {
      this._checkAlive();
      const from = this._resolveNotRoot(localPath);
      const dir = this._resolve(toLocalDir);
      const kind = await this._existing(from);
      const dirKind = dir.shadowed
        ? null
        : await statPath(this._client, this.bucket, dir);
      if (dirKind?.type !== 'directory') {
        throw notFoundError(dir.path, this._trans);
      }
      const name = from.key.slice(from.key.lastIndexOf('/') + 1);
      const taken = await namesIn(
        this._client,
        this.bucket,
        dir.folderKey,
        this._pageSize
      );
      const to = resolvePath(
        this.prefix,
        joinPath(dir.path, encodeSegment(copyName(name, taken)))
      );
      if (kind.type === 'directory') {
        this._checkNotInside(from, to);
        const pairs = await this._folderPairs(from, to);
        await this._withProgress(
          'copy',
          from.path,
          pairs.length,
          report => copyFolder(this._client, this.bucket, pairs, report),
          to.path
        );
      } else {
        await this._copyFile(from, to);
      }
      const model = await this.get(to.path, {
        content: false,
        type: kind.type === 'directory' ? 'directory' : undefined
      });
      this._fileChanged.emit({ type: 'new', oldValue: null, newValue: model });
      return model;
    } catch (error) {
      throw await this._error(error, localPath, true);
    }
  }

  /**
   * Create a checkpoint. Never rejects: on failure it logs and answers a
   * checkpoint dated now. Read-only: writes nothing, answers the latest.
   */
  async createCheckpoint(
    localPath: string
  ): Promise<Contents.ICheckpointModel> {
    const fallback = { id: 'checkpoint', last_modified: now() };
    try {
      this._checkAlive();
      const { key } = this._resolve(localPath);
      if (this.readOnly) {
        const existing = await this._checkpoints.list(key);
        return existing[existing.length - 1] ?? fallback;
      }
      return await this._checkpoints.create(key);
    } catch (error) {
      this._warn('create a checkpoint of', localPath, error);
      return fallback;
    }
  }

  /**
   * List the checkpoints of a file, oldest first. Never rejects: on failure
   * it logs and answers none.
   */
  async listCheckpoints(
    localPath: string
  ): Promise<Contents.ICheckpointModel[]> {
    try {
      this._checkAlive();
      const { key } = this._resolve(localPath);
      return await this._checkpoints.list(key);
    } catch (error) {
      this._warn('list the checkpoints of', localPath, error);
      return [];
    }
  }

  /**
   * Restore a checkpoint. Never rejects: on failure (or read-only) it logs
   * and leaves the file as it is.
   */
  async restoreCheckpoint(
    localPath: string,
    checkpointID: string
  ): Promise<void> {
    if (this.readOnly) {
      this._warn('restore a checkpoint of', localPath, this._readOnlyError());
      return;
    }
    try {
      this._checkAlive();
      const resolved = this._resolve(localPath);
      const etag = await this._checkpoints.restore(resolved.key, checkpointID);
      this._etags.held(resolved.key, etag);
      const model = await this.get(resolved.path, {
        content: false,
        type: 'file'
      });
      this._emitSave(model);
    } catch (error) {
      this._warn('restore a checkpoint of', localPath, error);
    }
  }

  /**
   * Delete a checkpoint. Never rejects: on failure (or read-only) it logs.
   */
  async deleteCheckpoint(
    localPath: string,
    checkpointID: string
  ): Promise<void> {
    if (this.readOnly) {
      this._warn('delete a checkpoint of', localPath, this._readOnlyError());
      return;
    }
    try {
      this._checkAlive();
      const { key } = this._resolve(localPath);
      await this._checkpoints.delete(key, checkpointID);
    } catch (error) {
      this._warn('delete a checkpoint of', localPath, error);
    }
  }

  // ---- reading -------------------------------------------------------------

  /**
   * @param first the first page of the listing, when it was already fetched
   */
  private async _getDirectory(
    resolved: IResolvedPath,
    withContent: boolean,
    first?: IListingPage
  ): Promise<Contents.IModel> {
    if (resolved.shadowed) {
      throw notFoundError(resolved.path, this._trans);
    }
    const folderKey = resolved.folderKey;
    if (!withContent) {
      if (
        !resolved.isRoot &&
        !(await hasKeysBelow(this._client, this.bucket, folderKey))
      ) {
        throw notFoundError(resolved.path, this._trans);
      }
      return this._models.directory(resolved.path, null, '');
    }
    const { objects, prefixes } = await listLevel(
      this._client,
      this.bucket,
      folderKey,
      this._pageSize,
      first
    );
    if (!resolved.isRoot && objects.length === 0 && prefixes.length === 0) {
      throw notFoundError(resolved.path, this._trans);
    }
    const names = prefixes.map(prefix => prefix.slice(folderKey.length, -1));
    // The checkpoint folder is hidden where it is the drive's own (a bucket
    // without versioning); an object of the same name still shows, as `␀=`.
    const hidden =
      names.includes(CHECKPOINT_DIR) && !(await this._checkpoints.versioned())
        ? CHECKPOINT_DIR
        : null;
    const folders = new Set(names.filter(name => name !== hidden));
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
      this._etags.seen(key, object.ETag);
      children.push(
        this._models.file(joinPath(resolved.path, name), {
          size: object.Size ?? 0,
          lastModified: object.LastModified,
          etag: object.ETag
        })
      );
    }
    for (const raw of folders) {
      const path = joinPath(resolved.path, encodeSegment(raw));
      children.push(this._models.directory(path, null, ''));
    }
    return this._models.directory(resolved.path, children, modified);
  }

  private async _getFile(
    resolved: IResolvedPath,
    options: Contents.IFetchOptions
  ): Promise<Contents.IModel> {
    const answer = await this._client.send(
      new GetObjectCommand({ Bucket: this.bucket, Key: resolved.key })
    );
    const bytes = answer.Body
      ? await answer.Body.transformToByteArray()
      : new Uint8Array(0);
    if (resolved.key.endsWith('/') && bytes.length === 0) {
      // A folder marker is not a file.
      throw notFoundError(resolved.path, this._trans);
    }
    const model = this._models.fileWithContent(
      resolved.path,
      bytes,
      {
        size: bytes.length,
        lastModified: answer.LastModified,
        etag: answer.ETag
      },
      options
    );
    this._etags.held(resolved.key, answer.ETag);
    return model;
  }

  private _headModel(
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
    this._etags.headed(resolved.key, head.ETag);
    return this._models.file(resolved.path, {
      size: head.ContentLength ?? 0,
      lastModified: head.LastModified,
      etag: head.ETag
    });
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
   * What an existing path is; a 404 when it does not exist.
   */
  private async _existing(
    resolved: IResolvedPath
  ): Promise<Exclude<PathKind, null>> {
    const kind = await statPath(this._client, this.bucket, resolved);
    if (kind === null) {
      throw notFoundError(resolved.path, this._trans);
    }
    if (kind.type === 'directory' && (await this._isCheckpointDir(resolved))) {
      // The drive's own hidden folder is not the user's to move or delete;
      // an object of the same name is.
      const head = await headObject(this._client, this.bucket, resolved.key);
      if (head === null) {
        throw notFoundError(resolved.path, this._trans);
      }
      return { type: 'file', head };
    }
    return kind;
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
      !(await this._checkpoints.versioned())
    );
  }

  // ---- writing -------------------------------------------------------------

  private _encode(path: string, options: Partial<Contents.IModel>): Uint8Array {
    const fileType = this._fileType(path);
    const type = options.type ?? fileType.type;
    const format =
      options.format ?? (type === 'notebook' ? 'json' : fileType.format);
    try {
      return encodeContent(options.content, format, type);
    } catch (error) {
      throw new S3DriveError(
        this._trans.__(
          'The content of "%1" does not match its format %2: %3',
          path,
          String(format),
          (error as Error).message
        ),
        { code: 'InvalidContent', status: 400, cause: error }
      );
    }
  }

  private _contentType(
    path: string,
    options: Partial<Contents.IModel>
  ): string {
    const fileType = this._fileType(path);
    if ((options.type ?? fileType.type) === 'notebook') {
      return NOTEBOOK_MIMETYPE;
    }
    const mimetype = options.mimetype || fileType.mimetype;
    const format = options.format ?? fileType.format;
    return format === 'text' && !mimetype.includes('charset')
      ? `${mimetype}; charset=utf-8`
      : mimetype;
  }

  /**
   * `PutObject`, `If-None-Match: *` when `create`, else `If-Match` the ETag
   * last seen (or `If-None-Match: *` when none was); `conditional.ts` makes
   * the condition hold on servers that ignore these headers.
   *
   * @returns the ETag of the write, which is remembered for the next one
   */
  private async _putObject(
    key: string,
    body: Uint8Array,
    contentType: string | undefined,
    create = false
  ): Promise<string | undefined> {
    const answer = await this._writes.put(
      {
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentLength: body.length,
        ContentType: contentType
      },
      create ? { ifNoneMatch: '*' } : this._etags.conditionFor(key)
    );
    this._etags.held(key, answer.ETag);
    return answer.ETag;
  }

  private async _put(
    resolved: IResolvedPath,
    bytes: Uint8Array,
    options: Partial<Contents.IModel>
  ): Promise<Contents.IModel> {
    const etag = await this._putObject(
      resolved.key,
      bytes,
      this._contentType(resolved.path, options)
    );
    return this._saved(resolved, etag);
  }

  /**
   * The model of a file just written, announced with `fileChanged`.
   *
   * Its ETag is the one the write returned: a `HeadObject` afterwards may
   * already see another writer's version, which must not be taken for ours
   * (the next save would overwrite it). The head gives the date and size.
   */
  private async _saved(
    resolved: IResolvedPath,
    etag: string | undefined
  ): Promise<Contents.IModel> {
    const head = await headObject(this._client, this.bucket, resolved.key);
    if (head === null) {
      throw notFoundError(resolved.path, this._trans);
    }
    const ours = etag === undefined || head.ETag === etag;
    this._etags.held(resolved.key, etag);
    const model = this._models.file(resolved.path, {
      size: head.ContentLength ?? 0,
      lastModified: ours ? head.LastModified : new Date(),
      etag: etag ?? head.ETag
    });
    if (etag !== undefined) {
      this._lastSave = { key: resolved.key, etag, model, at: Date.now() };
    }
    return this._emitSave(model);
  }

  private _emitSave(model: Contents.IModel): Contents.IModel {
    this._fileChanged.emit({ type: 'save', oldValue: null, newValue: model });
    return model;
  }

  /**
   * Write a zero-byte folder marker, unless one exists.
   */
  private async _putMarker(folderKey: string): Promise<void> {
    try {
      await this._putObject(folderKey, new Uint8Array(0), undefined, true);
    } catch (error) {
      if (
        toDriveError(error, this._errorContext('')).code !==
        'PreconditionFailed'
      ) {
        throw error;
      }
    }
  }

  private async _saveChunk(
    resolved: IResolvedPath,
    options: Partial<Contents.IModel>,
    chunk: number
  ): Promise<Contents.IModel> {
    const key = resolved.key;
    let bytes: Uint8Array;
    try {
      bytes = this._encode(resolved.path, {
        ...options,
        type: 'file',
        format: options.format ?? 'base64'
      });
    } catch (error) {
      await this._uploads.abort(key);
      throw error;
    }
    const result = await this._uploads.add(
      key,
      chunk,
      bytes,
      () =>
        MultipartUpload.start({
          client: this._client,
          bucket: this.bucket,
          key,
          contentType: this._contentType(resolved.path, {
            ...options,
            format: 'base64'
          }),
          ...this._etags.conditionFor(key)
        }),
      () =>
        new S3DriveError(
          this._trans.__(
            'The upload of "%1" missed a part (chunk %2 came unexpectedly): upload the file again.',
            resolved.path,
            String(chunk)
          ),
          { code: 'ChunkOutOfOrder', status: 400 }
        )
    );
    switch (result.kind) {
      case 'whole':
        return this._put(resolved, bytes, options);
      case 'partial':
        return this._models.partialFile(resolved.path, result.size);
      default:
        this._etags.held(key, result.etag);
        return this._saved(resolved, result.etag);
    }
  }

  /**
   * Keep the parent folder of a removed item visible: S3 has no folders, so
   * the last key below a prefix takes the folder away unless a marker stays.
   */
  private async _keepParent(path: string): Promise<void> {
    const { parent } = splitLast(path);
    if (!parent) {
      return;
    }
    await this._quietly('keep the folder of', path, async () => {
      const folderKey = this._resolve(parent).folderKey;
      if (!(await hasKeysBelow(this._client, this.bucket, folderKey))) {
        await this._putMarker(folderKey);
      }
    });
  }

  // ---- helpers -------------------------------------------------------------

  /**
   * Resolve a drive path to its key; through the proxy, a key that it
   * refuses by design is refused here, with a message that says why.
   */
  private _resolve(path: string): IResolvedPath {
    const resolved = resolvePath(this.prefix, path);
    const reason = this._proxied ? proxyRefusal(resolved.key) : null;
    if (reason) {
      throw new ProxyRefusedKeyError(resolved.key, reason);
    }
    return resolved;
  }

  private _resolveNotRoot(path: string): IResolvedPath {
    const resolved = this._resolve(path);
    if (resolved.isRoot) {
      throw new S3DriveError(
        this._trans.__(
          "The bucket's root folder cannot be deleted, renamed, copied or overwritten."
        ),
        { code: 'InvalidPath', status: 400 }
      );
    }
    return resolved;
  }

  private async _folderPairs(
    from: IResolvedPath,
    to: IResolvedPath
  ): Promise<{ from: string; to: string }[]> {
    const pairs = await folderPairs(
      this._client,
      this.bucket,
      from.folderKey,
      to.folderKey,
      this._pageSize
    );
    // Refuse before copying anything rather than half-way.
    pairs.forEach(pair => this._checkKeyLength(pair.to, to.path));
    return pairs;
  }

  private _checkNotInside(from: IResolvedPath, to: IResolvedPath): void {
    if (to.folderKey.startsWith(from.folderKey)) {
      throw new S3DriveError(
        this._trans.__(
          '"%1" cannot be moved or copied into itself.',
          from.path
        ),
        { code: 'InvalidPath', status: 400 }
      );
    }
  }

  /**
   * A disposed drive (its connector was deactivated) refuses every call:
   * JupyterLab cannot remove a drive, so an open document or a remembered
   * path may still call it.
   */
  private _checkAlive(): void {
    if (this._isDisposed) {
      throw new S3DriveError(
        this._trans.__(
          'Connector "%1" is not active: activate it to reach its bucket.',
          this.name
        ),
        { code: 'Inactive', status: 410 }
      );
    }
  }

  private _checkWritable(): void {
    if (this.readOnly) {
      throw this._readOnlyError();
    }
  }

  private _readOnlyError(): S3DriveError {
    return new S3DriveError(
      this._trans.__(
        "Connector '%1' is read-only: its files can be opened and downloaded, not changed.",
        this.name
      ),
      { code: 'ReadOnly', status: 403 }
    );
  }

  private _checkKeyLength(key: string, path: string): void {
    if (keyByteLength(key) > MAX_KEY_BYTES) {
      throw new S3DriveError(
        this._trans.__(
          'The name "%1" is too long for S3: keys are at most %2 bytes. Choose a shorter name.',
          path,
          String(MAX_KEY_BYTES)
        ),
        { code: 'KeyTooLongError', status: 400 }
      );
    }
  }

  /**
   * Copy one object to a key that must not exist yet, and remember its ETag.
   */
  private async _copyFile(
    from: IResolvedPath,
    to: IResolvedPath
  ): Promise<void> {
    this._checkKeyLength(to.key, to.path);
    let etag: string | undefined;
    try {
      etag = await copyKey(this._client, this.bucket, from.key, to.key, {
        ifNoneMatch: '*'
      });
    } catch (error) {
      // A 404 of a copy is its source's: it vanished since it was checked.
      throw isNotFound(error)
        ? notFoundError(from.path, this._trans, error)
        : error;
    }
    this._etags.held(to.key, etag);
  }

  /**
   * Run a folder operation, reporting its progress: `done: 0` first, then
   * per batch, `done: total` at the end, or an `error` when it fails.
   */
  private async _withProgress(
    operation: S3Drive.IProgress['operation'],
    path: string,
    total: number,
    task: (report: (done: number) => void) => Promise<unknown>,
    newPath?: string
  ): Promise<void> {
    const emit = (done: number, error?: string) =>
      this._progress.emit({ operation, path, newPath, done, total, error });
    emit(0);
    try {
      await task(done => emit(done));
    } catch (error) {
      emit(0, (error as Error).message || String(error));
      throw error;
    }
    emit(total);
  }

  /**
   * Run a side task (checkpoint move, folder marker…) whose failure must not
   * fail the operation: it is logged.
   */
  private async _quietly(
    what: string,
    path: string,
    task: () => Promise<unknown>
  ): Promise<void> {
    try {
      await task();
    } catch (error) {
      this._warn(what, path, error);
    }
  }

  private _warn(what: string, path: string, error: unknown): void {
    const mapped = toDriveError(error, this._errorContext(path));
    console.warn(
      `S3 drive "${this.name}": could not ${what} "${path}": ${mapped.message}`
    );
  }

  private _errorContext(path: string, creating = false) {
    return {
      endpoint: this._endpoint ?? '',
      bucket: this.bucket,
      path,
      creating,
      crossOrigin: this._crossOrigin,
      trans: this._trans
    };
  }

  private async _error(
    error: unknown,
    path: string,
    creating = false
  ): Promise<S3DriveError> {
    if (this._endpoint === undefined) {
      this._endpoint = await Private.endpointOf(this._client);
    }
    return toDriveError(error, this._errorContext(path, creating));
  }

  private readonly _client: S3Client;
  private readonly _fileType: FileTypeResolver;
  private readonly _downloadUrl?: (key: string) => Promise<string>;
  private _endpoint?: string;
  private _crossOrigin: boolean;
  private readonly _proxied: boolean;
  private readonly _pageSize?: number;
  private readonly _trans: TranslationBundle;
  private readonly _models: ModelFactory;
  private readonly _checkpoints: Checkpoints;
  private readonly _writes: ConditionalWrites;
  private readonly _etags = new KnownVersions();
  private _lastSave: {
    key: string;
    etag: string;
    model: Contents.IModel;
    at: number;
  } | null = null;
  private readonly _uploads = new ChunkedUploads();
  private _isDisposed = false;
  private _fileChanged = new Signal<this, Contents.IChangedArgs>(this);
  private _progress = new Signal<this, S3Drive.IProgress>(this);
}

/**
 * A namespace for `S3Drive` statics.
 */
export namespace S3Drive {
  /**
   * The options of a drive.
   */
  export interface IOptions {
    /** The drive's name (the `name:` of its paths). */
    name: string;
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

  /**
   * The progress of a folder operation.
   */
  export interface IProgress {
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

  /** The file type a `fileType` function answers. */
  export type FileType = IFileType;
}

namespace Private {
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
}
