import {
  AbortMultipartUploadCommand,
  CompletedPart,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  UploadPartCommand
} from '@aws-sdk/client-s3';

import type { Bucket } from './bucket';
import { checkCondition } from './conditional';
import { acceptsBlobBodies } from './transport';

/**
 * Bytes that an upload can decode straight into the part it gathers: at most
 * `length` of them. `decodeInto` writes them at the start of the array it is
 * given and tells how many, or returns `null` when it cannot (then `decode`
 * gives them, or throws when they are not valid).
 */
export interface IEncodedBytes {
  readonly length: number;
  decodeInto(target: Uint8Array): number | null;
  decode(): Uint8Array;
}

/** The bytes themselves: encoded bytes are decoded. */
export function bytesOf(bytes: Uint8Array | IEncodedBytes): Uint8Array {
  return bytes instanceof Uint8Array ? bytes : bytes.decode();
}

/** S3's smallest part (but the last). */
export const MIN_PART_SIZE = 5 * 1024 * 1024;

/**
 * How many parts an upload sends at once by default: as many as the file
 * uploads (`fileUpload.ts`) and lib-storage's default. With 2, the chunked
 * saves of the file browser's protocol reached about 0.75 of a raw multipart
 * upload with 4 (bench row 3); at most `PARTS_IN_FLIGHT + 1` parts of 5 MiB
 * are held in memory.
 */
export const PARTS_IN_FLIGHT = 4;

/**
 * One S3 multipart upload fed with chunks of any size.
 *
 * Chunks are gathered into a part of `partSize` bytes, which is then
 * uploaded while the next chunks come: at most `partsInFlight` parts are being
 * uploaded, and `append` waits for one of them to finish before it starts
 * another, so at most `partsInFlight + 1` parts are held in memory. The part
 * arrays are reused once S3 has their bytes, and encoded chunks (base64) are
 * decoded straight into them: a chunk costs no array of its own and no copy.
 * `complete` uploads the rest, waits for every part and completes the
 * upload, under the write conditions given at the start (`If-Match` /
 * `If-None-Match`), so the object only appears, whole, at the end. Any
 * failure, of a part too, aborts the upload: no part is left behind.
 */
export class MultipartUpload {
  private constructor(
    private readonly _options: MultipartUpload.IOptions,
    readonly uploadId: string
  ) {}

  /**
   * Start a multipart upload (`CreateMultipartUpload`).
   */
  static async start(
    options: MultipartUpload.IOptions
  ): Promise<MultipartUpload> {
    const answer = await options.bucket.client.send(
      new CreateMultipartUploadCommand({
        Bucket: options.bucket.name,
        Key: options.key,
        ContentType: options.contentType
      })
    );
    if (!answer.UploadId) {
      throw new Error('The S3 service did not start the multipart upload.');
    }
    return new MultipartUpload(options, answer.UploadId);
  }

  /** The key the upload writes. */
  get key(): string {
    return this._options.key;
  }

  /** The bytes received so far. */
  get size(): number {
    return this._size;
  }

  /** Whether the upload has been completed or aborted. */
  get isDone(): boolean {
    return this._done;
  }

  /**
   * Add bytes; starts uploading a part once one is gathered. An array of at
   * least a part's size, with nothing gathered before it, is sent as it is.
   *
   * @throws the error of a part that failed, after aborting the upload
   */
  async append(bytes: Uint8Array | IEncodedBytes): Promise<void> {
    this._checkOpen();
    try {
      this._throwFailure();
      if (!(bytes instanceof Uint8Array)) {
        const written = this._decodeInPlace(bytes);
        if (written !== null) {
          this._size += written;
          if (this._filled === this._partSize) {
            await this._flush();
          }
          return;
        }
        bytes = bytes.decode();
      }
      this._size += bytes.length;
      if (this._filled === 0 && bytes.length >= this._partSize) {
        const part = bytes;
        await this._send(() => ({ body: part }));
        return;
      }
      for (let offset = 0; offset < bytes.length;) {
        const part = this._gathering();
        const end = Math.min(
          bytes.length,
          offset + this._partSize - this._filled
        );
        part.set(bytes.subarray(offset, end), this._filled);
        this._filled += end - offset;
        offset = end;
        if (this._filled === this._partSize) {
          await this._flush();
        }
      }
    } catch (error) {
      await this.abort();
      throw error;
    }
  }

  /**
   * Send a blob as the next part, as it is: the platform's `fetch` reads it
   * (a `File` from disk), not the page. Only where the client's handler is
   * `fetch` (`acceptsBlobBodies`), and with nothing buffered.
   *
   * @throws the error of a part that failed, after aborting the upload
   */
  async appendBlob(blob: Blob): Promise<void> {
    this._checkOpen();
    try {
      this._throwFailure();
      if (this._filled > 0) {
        throw new Error('A blob part cannot follow buffered bytes.');
      }
      this._size += blob.size;
      await this._send(() => ({ body: blob }));
    } catch (error) {
      await this.abort();
      throw error;
    }
  }

  /**
   * Upload what is buffered and complete the upload.
   *
   * @returns the ETag of the new object
   */
  async complete(): Promise<string | undefined> {
    this._checkOpen();
    try {
      this._throwFailure();
      if (this._filled > 0 || this._nextPart === 1) {
        await this._flush();
      }
      await this._settle();
      this._throwFailure();
      await this._checkConditions();
      const answer = await this._options.bucket.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this._options.bucket.name,
          Key: this._options.key,
          UploadId: this.uploadId,
          MultipartUpload: {
            Parts: [...this._parts].sort(
              (a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0)
            )
          },
          IfMatch: this._options.ifMatch,
          IfNoneMatch: this._options.ifNoneMatch
        })
      );
      this._done = true;
      return answer.ETag;
    } catch (error) {
      await this.abort();
      throw error;
    }
  }

  /**
   * Abort the upload; S3 drops its parts. Waits for the parts being uploaded
   * first, so that none is stored after the abort. Never rejects: the upload
   * is already failing, and its error is the one to report.
   */
  abort(): Promise<void> {
    if (this._aborted) {
      // Aborted already: resolves once that abort is through.
      return this._aborted;
    }
    if (this._done) {
      return Promise.resolve();
    }
    this._done = true;
    this._aborted = this._abort();
    return this._aborted;
  }

  private async _abort(): Promise<void> {
    this._part = null;
    this._spare = [];
    this._filled = 0;
    await this._settle();
    try {
      await this._options.bucket.client.send(
        new AbortMultipartUploadCommand({
          Bucket: this._options.bucket.name,
          Key: this._options.key,
          UploadId: this.uploadId
        })
      );
    } catch (error) {
      console.warn(
        `Could not abort the multipart upload of "${this._options.key}"; ` +
          'a lifecycle rule for incomplete uploads will remove its parts.',
        error
      );
    }
  }

  /**
   * Check the write conditions before completing: some S3-compatible stores
   * (moto among them) ignore `If-Match` on `CompleteMultipartUpload`. S3
   * still checks them atomically on completion.
   */
  private async _checkConditions(): Promise<void> {
    const { bucket, key, ifMatch, ifNoneMatch } = this._options;
    await checkCondition(bucket, key, { ifMatch, ifNoneMatch });
  }

  /** The size of every part but the last. */
  private get _partSize(): number {
    return this._options.partSize ?? MIN_PART_SIZE;
  }

  /** The array of the part being gathered: a spare one, or a new one. */
  private _gathering(): Uint8Array {
    if (!this._part) {
      this._part = this._spare.pop() ?? new Uint8Array(this._partSize);
    }
    return this._part;
  }

  /**
   * Decode an encoded chunk into the part being gathered, when it fits there
   * and the platform can: the bytes written, else `null`.
   */
  private _decodeInPlace(bytes: IEncodedBytes): number | null {
    if (bytes.length > this._partSize - this._filled) {
      return null;
    }
    const part = this._gathering();
    const written = bytes.decodeInto(part.subarray(this._filled));
    if (written !== null) {
      this._filled += written;
    }
    return written;
  }

  /**
   * Start uploading the part gathered so far, once fewer than
   * `partsInFlight` parts are being uploaded.
   */
  private async _flush(): Promise<void> {
    await this._send(() => {
      const part = this._part ?? new Uint8Array(0);
      const filled = this._filled;
      this._part = null;
      this._filled = 0;
      // Where the client sends with `fetch` (browsers), the part goes as a
      // Blob (Chromium sends Blob bodies several times faster than arrays),
      // which holds a copy: the array is free again at once.
      if (acceptsBlobBodies(this._options.bucket.client)) {
        const blob = new Blob([
          part.subarray(0, filled) as Uint8Array<ArrayBuffer>
        ]);
        this._release(part);
        return { body: blob };
      }
      return { body: part.subarray(0, filled), reuse: part };
    });
  }

  /** Keep a part's array for the next part, when it is a whole one. */
  private _release(part: Uint8Array): void {
    if (!this._done && part.length === this._partSize) {
      this._spare.push(part);
    }
  }

  /**
   * Send the next part once fewer than `partsInFlight` parts are being
   * uploaded; its body is taken only then, with the array to `reuse` once
   * S3 has the part, if any.
   */
  private async _send(
    take: () => { body: Uint8Array | Blob; reuse?: Uint8Array }
  ): Promise<void> {
    const limit = Math.max(1, this._options.partsInFlight ?? PARTS_IN_FLIGHT);
    while (this._inFlight.size >= limit) {
      await Promise.race(this._inFlight);
    }
    // Aborted while waiting (`dispose`), or a part failed.
    this._checkOpen();
    this._throwFailure();
    const { body: part, reuse } = take();
    const length = part instanceof Uint8Array ? part.length : part.size;
    const partNumber = this._nextPart++;
    const sent = this._options.bucket.client
      .send(
        new UploadPartCommand({
          Bucket: this._options.bucket.name,
          Key: this._options.key,
          UploadId: this.uploadId,
          PartNumber: partNumber,
          Body: part,
          ContentLength: length
        })
      )
      .then(
        answer => {
          this._parts.push({ ETag: answer.ETag, PartNumber: partNumber });
          if (reuse) {
            // S3 has the bytes: the array can take the next part's.
            this._release(reuse);
          }
          this._options.onPartDone?.(length);
        },
        (error: unknown) => {
          this._failure = this._failure ?? { error };
        }
      )
      .finally(() => {
        this._inFlight.delete(sent);
      });
    this._inFlight.add(sent);
  }

  /** Wait until no part is being uploaded. */
  private async _settle(): Promise<void> {
    while (this._inFlight.size > 0) {
      await Promise.all(this._inFlight);
    }
  }

  /** Throw the error of the first part that failed, if any. */
  private _throwFailure(): void {
    if (this._failure) {
      throw this._failure.error;
    }
  }

  private _checkOpen(): void {
    if (this._done) {
      throw new Error(
        `The upload of "${this._options.key}" was already finished or aborted.`
      );
    }
  }

  /** The part being gathered, `_filled` bytes of it so far. */
  private _part: Uint8Array | null = null;
  private _filled = 0;
  /** Arrays of parts S3 has, to gather the next parts in. */
  private _spare: Uint8Array[] = [];
  private _size = 0;
  private _parts: CompletedPart[] = [];
  private _nextPart = 1;
  private _inFlight = new Set<Promise<void>>();
  private _failure: { error: unknown } | null = null;
  private _done = false;
  private _aborted: Promise<void> | null = null;
}

/**
 * A namespace for `MultipartUpload` statics.
 */
export namespace MultipartUpload {
  /**
   * The options of an upload.
   */
  export interface IOptions {
    /** The bucket, with the client that reaches it. */
    bucket: Bucket;
    key: string;
    contentType?: string;
    /** Complete only if the object still has this ETag. */
    ifMatch?: string;
    /** `'*'`: complete only if no object exists at the key. */
    ifNoneMatch?: string;
    /** The part size (default and minimum 5 MiB). */
    partSize?: number;
    /** How many parts are uploaded at once (default `PARTS_IN_FLIGHT`). */
    partsInFlight?: number;
    /** Called with the size of each part once S3 has it. */
    onPartDone?: (bytes: number) => void;
  }
}
