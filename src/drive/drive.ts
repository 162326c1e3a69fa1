import { S3Client } from '@aws-sdk/client-s3';
import { Contents, ServerConnection } from '@jupyterlab/services';
import { nullTranslator, TranslationBundle } from '@jupyterlab/translation';
import { ISignal, Signal } from '@lumino/signaling';

import { Bucket } from './bucket';
import { Checkpoints } from './checkpoints';
import { ConditionalSupport, ConditionalWrites } from './conditional';
import { defaultFileType, FileTypeResolver, IFileType } from './content';
import { IDriveContext } from './context';
import { KnownVersions } from './etags';
import { FolderOperations, IFolderProgress } from './folders';
import { ModelFactory, now } from './models';
import { IResolvedPath, normalizePrefix, resolvePath } from './paths';
import { Reader } from './reader';
import { IS3DriveOptions } from './options';
import { ErrorReporter } from './reporting';
import { inactiveError, readOnlyError, rootError } from './refusals';
import { ProxyRefusedKeyError, proxyRefusal } from './requestPath';
import { presignedDownload } from './transport';
import { IUploadFileOptions, Writer } from './writer';

/**
 * A JupyterLab drive on an S3 bucket (or a prefix of it).
 *
 * - Paths map to keys as `paths.ts` documents; keys that JupyterLab cannot
 *   show as they are get reversible `␀` names.
 * - Reads are in `reader.ts`; writes, conditional (`If-Match` the ETag the
 *   drive holds, `If-None-Match: *` to create) and chunked saves as one
 *   multipart upload, in `writer.ts`; deletes, renames and copies of files
 *   and folders in `folders.ts`; every S3 call on the `Bucket`.
 * - Checkpoints are versions or one hidden copy (`checkpoints.ts`), and never
 *   reject.
 * - Every mutation emits `fileChanged`; folder operations report `progress`.
 * - A disposed drive refuses every call (JupyterLab cannot remove a drive).
 */
export class S3Drive implements Contents.IDrive {
  constructor(options: S3Drive.IOptions) {
    this.name = options.name;
    this.title = options.title ?? options.name;
    this.bucket = options.bucket;
    this.prefix = normalizePrefix(options.prefix);
    this.readOnly = options.readOnly;
    this.serverSettings =
      options.serverSettings ?? ServerConnection.makeSettings();
    this._client = options.client;
    this._downloadUrl = options.downloadUrl;
    this._trans =
      options.trans ?? nullTranslator.load('jupyterlab_s3_connectors');
    this._proxied = options.proxied ?? false;
    this._errors = new ErrorReporter({
      name: this.title,
      bucket: this.bucket,
      client: options.client,
      endpoint: options.endpoint,
      crossOrigin: options.crossOrigin ?? false,
      trans: this._trans
    });
    const bucket = new Bucket(options.client, options.bucket, options.pageSize);
    const fileType: FileTypeResolver = options.fileType ?? defaultFileType;
    this._context = {
      name: this.title,
      bucket,
      etags: new KnownVersions(),
      checkpoints: new Checkpoints(bucket),
      models: new ModelFactory({
        readOnly: this.readOnly,
        fileType,
        trans: this._trans
      }),
      fileType,
      trans: this._trans,
      resolve: path => this._resolve(path),
      quietly: (what, path, task) => this._errors.quietly(what, path, task)
    };
    this._reader = new Reader(this._context);
    this._writer = new Writer(this._context, this._reader);
    this._folders = new FolderOperations(
      this._context,
      this._reader,
      this._writer,
      progress => this._progress.emit(progress)
    );
  }

  /** The drive's name, the first part of its paths (`name:path`). */
  readonly name: string;

  /** What messages call the drive (its connector's name). */
  readonly title: string;

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
    return this._writer.conditional.support;
  }

  /** Emitted once `conditionalWrites` is known. */
  get conditionalWritesChanged(): ISignal<
    ConditionalWrites,
    ConditionalSupport
  > {
    return this._writer.conditional.supportChanged;
  }

  /** Whether the drive is disposed. */
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /**
   * Dispose the drive: pending chunked uploads are aborted, and every later
   * call is refused.
   */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._writer.abortUploads();
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
      return await this._reader.get(this._resolve(localPath), options);
    } catch (error) {
      throw await this._errors.map(error, localPath);
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
      throw await this._errors.map(error, localPath);
    }
  }

  /**
   * Create a new untitled notebook, file or folder, named as Jupyter server
   * does (`Untitled.ipynb`, `untitled1.txt`, `Untitled Folder 2`…).
   */
  async newUntitled(
    options: Contents.ICreateOptions = {}
  ): Promise<Contents.IModel> {
    let path = options.path ?? '';
    try {
      this._checkWritable();
      const created = await this._writer.newUntitled(
        this._resolve(path),
        options
      );
      path = created.path;
      const model =
        created.type === 'directory'
          ? this._context.models.directory(path, null, now())
          : await this.get(path, { content: false, type: created.type });
      this._fileChanged.emit({ type: 'new', oldValue: null, newValue: model });
      return model;
    } catch (error) {
      throw await this._errors.map(error, path, true);
    }
  }

  /**
   * Delete a file, or a folder with every key below it.
   */
  async delete(localPath: string): Promise<void> {
    try {
      this._checkWritable();
      const resolved = this._resolveNotRoot(localPath);
      await this._folders.delete(resolved);
      this._fileChanged.emit({
        type: 'delete',
        oldValue: { path: resolved.path },
        newValue: null
      });
    } catch (error) {
      throw await this._errors.map(error, localPath);
    }
  }

  /**
   * Rename a file or a folder. An existing target is never overwritten.
   */
  async rename(
    oldLocalPath: string,
    newLocalPath: string
  ): Promise<Contents.IModel> {
    try {
      this._checkWritable();
      const from = this._resolveNotRoot(oldLocalPath);
      const to = this._resolveNotRoot(newLocalPath);
      if (from.path === to.path) {
        return await this.get(to.path, { content: false });
      }
      const kind = await this._folders.rename(from, to);
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
      throw await this._errors.map(error, newLocalPath);
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
    return this._write(localPath, resolved =>
      this._writer.save(resolved, options)
    );
  }

  /**
   * Upload a file as it is (the `File` of an upload button or a drop): one
   * multipart upload whose parts are read from the blob as they are sent,
   * several in flight; no base64. The write follows the drive's conditions
   * (an object changed since the drive saw it is not overwritten), and a
   * failure or a cancel (`signal`) leaves neither an object nor parts.
   */
  async uploadFile(
    localPath: string,
    blob: Blob,
    options: IUploadFileOptions = {}
  ): Promise<Contents.IModel> {
    return this._write(localPath, async resolved => ({
      model: await this._writer.uploadFile(resolved, blob, options),
      complete: true
    }));
  }

  /**
   * Copy a file or a folder into a folder, named as Jupyter server does
   * (`a.txt` → `a-Copy1.txt` when `a.txt` is taken).
   */
  async copy(localPath: string, toLocalDir: string): Promise<Contents.IModel> {
    try {
      this._checkWritable();
      const copied = await this._folders.copy(
        this._resolveNotRoot(localPath),
        this._resolve(toLocalDir)
      );
      const model = await this.get(copied.path, {
        content: false,
        type: copied.type === 'directory' ? 'directory' : undefined
      });
      this._fileChanged.emit({ type: 'new', oldValue: null, newValue: model });
      return model;
    } catch (error) {
      throw await this._errors.map(error, localPath, true);
    }
  }

  /**
   * Create a checkpoint. Never rejects: on failure it logs and answers a
   * checkpoint dated now. Read-only: writes nothing, answers the latest.
   */
  createCheckpoint(localPath: string): Promise<Contents.ICheckpointModel> {
    const fallback = { id: 'checkpoint', last_modified: now() };
    return this._checkpoint('create a checkpoint of', localPath, fallback, {
      write: false,
      task: async ({ key }) => {
        if (!this.readOnly) {
          return this._context.checkpoints.create(key);
        }
        const existing = await this._context.checkpoints.list(key);
        return existing[existing.length - 1] ?? fallback;
      }
    });
  }

  /**
   * List the checkpoints of a file, oldest first. Never rejects: on failure
   * it logs and answers none.
   */
  listCheckpoints(localPath: string): Promise<Contents.ICheckpointModel[]> {
    return this._checkpoint('list the checkpoints of', localPath, [], {
      write: false,
      task: ({ key }) => this._context.checkpoints.list(key)
    });
  }

  /**
   * Restore a checkpoint. Never rejects: on failure (or read-only) it logs
   * and leaves the file as it is.
   */
  restoreCheckpoint(localPath: string, checkpointID: string): Promise<void> {
    return this._checkpoint('restore a checkpoint of', localPath, undefined, {
      write: true,
      task: async ({ key, path }) => {
        const etag = await this._context.checkpoints.restore(key, checkpointID);
        this._context.etags.held(key, etag);
        this._emitSave(await this.get(path, { content: false, type: 'file' }));
      }
    });
  }

  /**
   * Delete a checkpoint. Never rejects: on failure (or read-only) it logs.
   */
  deleteCheckpoint(localPath: string, checkpointID: string): Promise<void> {
    return this._checkpoint('delete a checkpoint of', localPath, undefined, {
      write: true,
      task: ({ key }) => this._context.checkpoints.delete(key, checkpointID)
    });
  }

  /**
   * Run a checkpoint call, which never rejects: JupyterLab cannot open a
   * document whose checkpoint calls fail. A failure is logged and answers
   * `fallback`.
   */
  private async _checkpoint<T>(
    what: string,
    localPath: string,
    fallback: T,
    call: { write: boolean; task: (resolved: IResolvedPath) => Promise<T> }
  ): Promise<T> {
    try {
      if (call.write) {
        this._checkWritable();
      } else {
        this._checkAlive();
      }
      return await call.task(this._resolve(localPath));
    } catch (error) {
      this._errors.warn(what, localPath, error);
      return fallback;
    }
  }

  /**
   * Write a file, announced with `fileChanged` once it is complete (not for
   * each chunk of an upload). A 412 is "already exists" when the drive knew
   * no version of the file.
   */
  private async _write(
    localPath: string,
    write: (
      resolved: IResolvedPath
    ) => Promise<{ model: Contents.IModel; complete: boolean }>
  ): Promise<Contents.IModel> {
    let creating = false;
    try {
      this._checkWritable();
      const resolved = this._resolveNotRoot(localPath);
      creating = !this._context.etags.has(resolved.key);
      const { model, complete } = await write(resolved);
      return complete ? this._emitSave(model) : model;
    } catch (error) {
      throw await this._errors.map(error, localPath, creating);
    }
  }

  private _emitSave(model: Contents.IModel): Contents.IModel {
    this._fileChanged.emit({ type: 'save', oldValue: null, newValue: model });
    return model;
  }

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
      throw rootError(this._trans);
    }
    return resolved;
  }

  private _checkAlive(): void {
    if (this._isDisposed) {
      throw inactiveError(this.title, this._trans);
    }
  }

  /** Refuse a change: read-only first (no S3 call), then a disposed drive. */
  private _checkWritable(): void {
    if (this.readOnly) {
      throw readOnlyError(this.title, this._trans);
    }
    this._checkAlive();
  }

  private readonly _client: S3Client;
  private readonly _downloadUrl?: (key: string) => Promise<string>;
  private readonly _errors: ErrorReporter;
  private readonly _proxied: boolean;
  private readonly _trans: TranslationBundle;
  private readonly _context: IDriveContext;
  private readonly _reader: Reader;
  private readonly _writer: Writer;
  private readonly _folders: FolderOperations;
  private _isDisposed = false;
  private _fileChanged = new Signal<this, Contents.IChangedArgs>(this);
  private _progress = new Signal<this, S3Drive.IProgress>(this);
}

/**
 * A namespace for `S3Drive` statics.
 */
export namespace S3Drive {
  /** The options of a drive. */
  export type IOptions = IS3DriveOptions;

  /** The progress of a folder operation. */
  export type IProgress = IFolderProgress;

  /** The file type a `fileType` function answers. */
  export type FileType = IFileType;
}
