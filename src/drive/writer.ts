import { Contents } from '@jupyterlab/services';

import { ConditionalWrites, isPreconditionFailed } from './conditional';
import {
  base64DecodedLength,
  base64ToBytesInto,
  emptyNotebook,
  encodeContent,
  NOTEBOOK_MIMETYPE,
  serializeNotebook
} from './content';
import { IDriveContext } from './context';
import { UploadCancelledError, uploadBlob } from './fileUpload';
import { acceptsBlobBodies } from './transport';
import { isNotFound, notFoundError, S3DriveError } from './errors';
import { now } from './models';
import { bytesOf, IEncodedBytes, MultipartUpload } from './multipart';
import { normalizeExtension, untitledName } from './naming';
import { encodeSegment, IResolvedPath, joinPath, splitLast } from './paths';
import { Reader } from './reader';
import { checkKeyLength, noContentError } from './refusals';
import { ChunkedUploads } from './uploads';

/**
 * The writes of a drive. Every write is conditional: an overwrite carries
 * `If-Match` the ETag the drive holds (or `If-None-Match: *` when it holds
 * none) and a create `If-None-Match: *`; `conditional.ts` makes these hold on
 * servers that ignore them. Chunked saves become one multipart upload.
 */
export class Writer {
  constructor(
    private readonly _context: IDriveContext,
    private readonly _reader: Reader
  ) {
    this.conditional = new ConditionalWrites(_context.bucket);
  }

  /** The conditional writes of the bucket. */
  readonly conditional: ConditionalWrites;

  /** Abort every pending chunked upload and file upload. */
  abortUploads(): void {
    this._uploads.abortAll();
    this._fileUploads.forEach(controller => controller.abort());
  }

  /**
   * Upload a file (a `Blob`) as it is, in parts read from it as they are
   * sent (`fileUpload.ts`), under the drive's write condition: it overwrites
   * only the version the drive knows of, and creates only what does not
   * exist.
   */
  async uploadFile(
    resolved: IResolvedPath,
    blob: Blob,
    options: IUploadFileOptions = {}
  ): Promise<Contents.IModel> {
    const { bucket, etags, trans } = this._context;
    checkKeyLength(resolved.key, resolved.path, trans);
    const controller = new AbortController();
    const cancel = () => controller.abort();
    options.signal?.addEventListener('abort', cancel);
    if (options.signal?.aborted) {
      controller.abort();
    }
    this._fileUploads.add(controller);
    const condition = etags.conditionFor(resolved.key);
    try {
      const contentType = this._contentType(resolved.path, {
        type: 'file',
        format: 'base64'
      });
      const etag = await uploadBlob({
        bucket,
        key: resolved.key,
        blob,
        contentType,
        condition,
        putWhole: bytes => this._putObject(resolved.key, bytes, contentType),
        signal: controller.signal,
        onProgress: options.onProgress,
        partsInFlight: options.partsInFlight
      });
      etags.held(resolved.key, etag);
      return await this.saved(resolved, etag);
    } catch (error) {
      if (isPreconditionFailed(error) && condition.ifMatch) {
        throw new S3DriveError(
          trans.__(
            '"%1" changed in the bucket since the folder was listed, and was not replaced: refresh the folder and upload again.',
            resolved.path
          ),
          { code: 'PreconditionFailed', status: 409, cause: error }
        );
      }
      if (error instanceof UploadCancelledError) {
        throw new S3DriveError(
          trans.__(
            'The upload of "%1" was cancelled: nothing was written.',
            resolved.path
          ),
          { code: 'UploadCancelled', status: 400, cause: error }
        );
      }
      throw error;
    } finally {
      this._fileUploads.delete(controller);
      options.signal?.removeEventListener('abort', cancel);
    }
  }

  /**
   * Save a file or create a folder marker, as `Contents.IDrive.save`.
   *
   * @returns the saved model, and whether it is the whole file (not a chunk
   *   of an upload still going on)
   */
  async save(
    resolved: IResolvedPath,
    options: Partial<Contents.IModel> & Contents.IContentProvisionOptions
  ): Promise<{ model: Contents.IModel; complete: boolean }> {
    const { models, trans } = this._context;
    if (options.type === 'directory') {
      checkKeyLength(resolved.folderKey, resolved.path, trans);
      await this.putMarker(resolved.folderKey);
      return {
        model: models.directory(resolved.path, null, now()),
        complete: true
      };
    }
    checkKeyLength(resolved.key, resolved.path, trans);
    if (options.content === undefined || options.content === null) {
      throw noContentError(resolved.path, trans);
    }
    if (options.chunk !== undefined && options.chunk !== null) {
      return this._saveChunk(resolved, options, options.chunk);
    }
    const bytes = this._encode(resolved.path, options);
    return { model: await this._put(resolved, bytes, options), complete: true };
  }

  /**
   * Create a new untitled notebook, file or folder in a folder, named as
   * Jupyter server does (`Untitled.ipynb`, `untitled1.txt`, `Untitled
   * Folder 2`…). Folders are zero-byte `name/` markers.
   *
   * @returns the path of the new item
   */
  async newUntitled(
    dir: IResolvedPath,
    options: Contents.ICreateOptions
  ): Promise<{ path: string; type: Contents.ContentType }> {
    const { bucket, fileType, trans } = this._context;
    const ext = normalizeExtension(options.ext ?? '');
    const type = options.type ?? (ext === '.ipynb' ? 'notebook' : 'file');
    const name = untitledName(type, ext, await bucket.namesIn(dir.folderKey));
    const path = joinPath(dir.path, encodeSegment(name));
    const key = dir.folderKey + name;
    if (type === 'directory') {
      checkKeyLength(key + '/', path, trans);
      await this._putObject(key + '/', new Uint8Array(0), undefined, true);
    } else {
      checkKeyLength(key, path, trans);
      const notebook = type === 'notebook';
      const body = notebook
        ? new TextEncoder().encode(serializeNotebook(emptyNotebook()))
        : new Uint8Array(0);
      const contentType = notebook
        ? NOTEBOOK_MIMETYPE
        : fileType(path).mimetype;
      await this._putObject(key, body, contentType, true);
    }
    return { path, type };
  }

  /**
   * Copy one object to a key that must not exist yet, and remember its ETag.
   */
  async copyFile(from: IResolvedPath, to: IResolvedPath): Promise<void> {
    checkKeyLength(to.key, to.path, this._context.trans);
    let etag: string | undefined;
    try {
      etag = await this._context.bucket.copyKey(from.key, to.key, {
        ifNoneMatch: '*'
      });
    } catch (error) {
      // A 404 of a copy is its source's: it vanished since it was checked.
      throw isNotFound(error)
        ? notFoundError(from.path, this._context.trans, error)
        : error;
    }
    this._context.etags.held(to.key, etag);
  }

  /**
   * Write a zero-byte folder marker, unless one exists.
   */
  async putMarker(folderKey: string): Promise<void> {
    try {
      await this._putObject(folderKey, new Uint8Array(0), undefined, true);
    } catch (error) {
      if (!isPreconditionFailed(error)) {
        throw error;
      }
    }
  }

  /**
   * Keep the parent folder of a removed item visible: S3 has no folders, so
   * the last key below a prefix takes the folder away unless a marker stays.
   */
  async keepParent(path: string): Promise<void> {
    const { parent } = splitLast(path);
    if (!parent) {
      return;
    }
    await this._context.quietly('keep the folder of', path, async () => {
      const folderKey = this._context.resolve(parent).folderKey;
      if (!(await this._context.bucket.hasKeysBelow(folderKey))) {
        await this.putMarker(folderKey);
      }
    });
  }

  /**
   * The model of a file just written.
   *
   * Its ETag is the one the write returned: a `HeadObject` afterwards may
   * already see another writer's version, which must not be taken for ours
   * (the next save would overwrite it). The head gives the date and size.
   */
  async saved(
    resolved: IResolvedPath,
    etag: string | undefined
  ): Promise<Contents.IModel> {
    const head = await this._context.bucket.head(resolved.key);
    if (head === null) {
      throw notFoundError(resolved.path, this._context.trans);
    }
    const ours = etag === undefined || head.ETag === etag;
    this._context.etags.held(resolved.key, etag);
    const model = this._context.models.file(resolved.path, {
      size: head.ContentLength ?? 0,
      lastModified: ours ? head.LastModified : new Date(),
      etag: etag ?? head.ETag
    });
    if (etag !== undefined) {
      this._reader.noteSave(resolved.key, etag, model);
    }
    return model;
  }

  private _encode(path: string, options: Partial<Contents.IModel>): Uint8Array {
    const fileType = this._context.fileType(path);
    const type = options.type ?? fileType.type;
    const format =
      options.format ?? (type === 'notebook' ? 'json' : fileType.format);
    try {
      return encodeContent(options.content, format, type);
    } catch (error) {
      throw new S3DriveError(
        this._context.trans.__(
          'The content of "%1" does not match its format %2: %3',
          path,
          String(format),
          (error as Error).message
        ),
        { code: 'InvalidContent', status: 400, cause: error }
      );
    }
  }

  /**
   * The bytes of a chunk: a base64 chunk is decoded by the upload, straight
   * into its part (`decode` throws as `_encode` does on invalid content).
   */
  private _chunkBytes(
    path: string,
    options: Partial<Contents.IModel>
  ): Uint8Array | IEncodedBytes {
    const text = options.content;
    if (options.format !== 'base64' || typeof text !== 'string') {
      return this._encode(path, options);
    }
    return {
      length: base64DecodedLength(text),
      decodeInto: target => base64ToBytesInto(text, target),
      decode: () => this._encode(path, options)
    };
  }

  private _contentType(
    path: string,
    options: Partial<Contents.IModel>
  ): string {
    const fileType = this._context.fileType(path);
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
   * held (or `If-None-Match: *` when none is).
   *
   * @returns the ETag of the write, which is remembered for the next one
   */
  private async _putObject(
    key: string,
    body: Uint8Array,
    contentType: string | undefined,
    create = false
  ): Promise<string | undefined> {
    const { bucket, etags } = this._context;
    const answer = await this.conditional.put(
      {
        Bucket: bucket.name,
        Key: key,
        // Where the client sends with `fetch` (browsers), as a Blob: Chromium
        // sends a Blob body several times faster than the same bytes as an
        // array (a 1 MiB notebook's PUT took ~5x the time), and the SDK
        // leaves its payload unhashed, as for file uploads' parts.
        Body:
          body.length > 0 && acceptsBlobBodies(bucket.client)
            ? new Blob([body as Uint8Array<ArrayBuffer>])
            : body,
        ContentLength: body.length,
        ContentType: contentType
      },
      create ? { ifNoneMatch: '*' } : etags.conditionFor(key)
    );
    etags.held(key, answer.ETag);
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
    return this.saved(resolved, etag);
  }

  private async _saveChunk(
    resolved: IResolvedPath,
    options: Partial<Contents.IModel>,
    chunk: number
  ): Promise<{ model: Contents.IModel; complete: boolean }> {
    const { bucket, etags, models, trans } = this._context;
    const key = resolved.key;
    let bytes: Uint8Array | IEncodedBytes;
    try {
      bytes = this._chunkBytes(resolved.path, {
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
          bucket,
          key,
          contentType: this._contentType(resolved.path, {
            ...options,
            format: 'base64'
          }),
          ...etags.conditionFor(key)
        }),
      () =>
        new S3DriveError(
          trans.__(
            'The upload of "%1" missed a part (chunk %2 came unexpectedly): upload the file again.',
            resolved.path,
            String(chunk)
          ),
          { code: 'ChunkOutOfOrder', status: 400 }
        )
    );
    switch (result.kind) {
      case 'whole':
        return {
          model: await this._put(resolved, bytesOf(bytes), options),
          complete: true
        };
      case 'partial':
        return {
          model: models.partialFile(resolved.path, result.size),
          complete: false
        };
      default:
        etags.held(key, result.etag);
        return {
          model: await this.saved(resolved, result.etag),
          complete: true
        };
    }
  }

  private readonly _uploads = new ChunkedUploads();
  private readonly _fileUploads = new Set<AbortController>();
}

/** The options of a file upload (`S3Drive.uploadFile`). */
export interface IUploadFileOptions {
  /** Cancels the upload: nothing is left behind. */
  signal?: AbortSignal;
  /** Called with the bytes S3 has received so far (whole parts) and the total. */
  onProgress?: (loaded: number, total: number) => void;
  /** How many parts are sent at once (default 4). */
  partsInFlight?: number;
}
