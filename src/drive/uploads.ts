/**
 * The chunked uploads of JupyterLab's file browser, each mapped to one S3
 * multipart upload.
 */

import { bytesOf, IEncodedBytes, MultipartUpload } from './multipart';

/** How long an upload may wait for its next chunk before it is aborted. */
export const UPLOAD_IDLE_TIMEOUT = 10 * 60 * 1000;

/** What became of a chunk. */
export type ChunkResult =
  /** A last chunk (-1) with no upload before it: write it as a whole object. */
  | { kind: 'whole' }
  /** A chunk before the last: buffered or uploaded as a part. */
  | { kind: 'partial'; size: number }
  /** The last chunk: the object exists now. */
  | { kind: 'complete'; etag: string | undefined };

/**
 * The multipart uploads in progress, by key.
 *
 * The file browser sends `chunk` 1, 2, … and -1 for the last, one at a time.
 * Chunk 1 starts an upload (replacing any unfinished one for the key), the
 * next ones must follow in order, -1 completes it. Any failure, a chunk out of
 * order, `dispose` or 10 minutes without a chunk abort the upload.
 */
export class ChunkedUploads {
  constructor(private readonly _idleTimeout = UPLOAD_IDLE_TIMEOUT) {}

  /**
   * Take one chunk of the upload to `key`.
   *
   * @param bytes the chunk: bytes, or encoded bytes that the upload decodes
   *   into its part (a first chunk is decoded before the upload starts, so
   *   that invalid content starts nothing)
   * @param start starts the multipart upload, on chunk 1
   * @param outOfOrder the error for a chunk that does not follow the last one
   */
  async add(
    key: string,
    chunk: number,
    bytes: Uint8Array | IEncodedBytes,
    start: () => Promise<MultipartUpload>,
    outOfOrder: () => Error
  ): Promise<ChunkResult> {
    let state = this._uploads.get(key);
    try {
      if (chunk === 1 && state) {
        this._end(key);
        await state.upload.abort();
        state = undefined;
      }
      if (chunk === -1 && !state) {
        return { kind: 'whole' };
      }
      if (chunk === 1) {
        bytes = bytesOf(bytes);
        state = { upload: await start(), next: 1, timer: undefined };
        this._uploads.set(key, state);
      }
      if (!state || (chunk !== -1 && chunk !== state.next)) {
        throw outOfOrder();
      }
      clearTimeout(state.timer);
      state.next += 1;
      await state.upload.append(bytes);
      if (chunk !== -1) {
        this._arm(key, state);
        return { kind: 'partial', size: state.upload.size };
      }
      this._end(key);
      return { kind: 'complete', etag: await state.upload.complete() };
    } catch (error) {
      if (state) {
        this._end(key);
        await state.upload.abort();
      }
      throw error;
    }
  }

  /**
   * Abort the upload to `key`, if one is in progress.
   */
  async abort(key: string): Promise<void> {
    const state = this._uploads.get(key);
    if (state) {
      this._end(key);
      await state.upload.abort();
    }
  }

  /**
   * Abort every upload in progress.
   */
  abortAll(): void {
    for (const [key, state] of [...this._uploads]) {
      this._end(key);
      void state.upload.abort();
    }
  }

  private _arm(key: string, state: Private.IUploadState): void {
    state.timer = setTimeout(() => {
      if (this._uploads.get(key) === state) {
        this._end(key);
        void state.upload.abort();
      }
    }, this._idleTimeout);
  }

  private _end(key: string): void {
    const state = this._uploads.get(key);
    if (state) {
      clearTimeout(state.timer);
      this._uploads.delete(key);
    }
  }

  private readonly _uploads = new Map<string, Private.IUploadState>();
}

namespace Private {
  /** An upload in progress. */
  export interface IUploadState {
    upload: MultipartUpload;
    /** The chunk number expected next. */
    next: number;
    /** Aborts the upload when no chunk comes for too long. */
    timer: ReturnType<typeof setTimeout> | undefined;
  }
}
