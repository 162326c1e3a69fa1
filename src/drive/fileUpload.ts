/**
 * Uploads of a whole `Blob` (a `File` from the file browser's upload button or
 * a drop): the blob is sliced part by part and each slice sent as it is,
 * several parts in flight, with no base64 and no `FileReader`. Where the
 * client sends with `fetch` (browsers), the slice itself is the body, read by
 * the browser; elsewhere its bytes are read just before it is sent.
 */
import { Bucket } from './bucket';
import { IWriteCondition } from './conditional';
import { MIN_PART_SIZE, MultipartUpload } from './multipart';
import { acceptsBlobBodies } from './transport';

/** S3's most parts in one upload. */
const MAX_PARTS = 10000;

/** How many parts of a file upload are sent at once. */
export const FILE_PARTS_IN_FLIGHT = 4;

/** The error of an upload the user cancelled. */
export class UploadCancelledError extends Error {
  constructor(readonly key: string) {
    super(`The upload of "${key}" was cancelled.`);
    this.name = 'AbortError';
  }
}

/** How a file upload goes. */
export interface IFileUploadOptions {
  /** The bucket. */
  bucket: Bucket;
  /** The key written. */
  key: string;
  /** The bytes. */
  blob: Blob;
  /** The object's `Content-Type`. */
  contentType?: string;
  /** The write condition: the drive's rules (`KnownVersions.conditionFor`). */
  condition: IWriteCondition;
  /** Writes one small object (a conditional `PutObject`), answers its ETag. */
  putWhole: (bytes: Uint8Array) => Promise<string | undefined>;
  /** Cancels the upload: nothing is left behind (no object, no parts). */
  signal?: AbortSignal;
  /** Called with the bytes S3 has received so far (whole parts) and the total. */
  onProgress?: (loaded: number, total: number) => void;
  /** The part size (default: 5 MiB, more for files over 48 GiB). */
  partSize?: number;
  /** How many parts are sent at once (default 4). */
  partsInFlight?: number;
}

/**
 * The part size of a file: S3's minimum, or what keeps the upload within
 * 10,000 parts.
 */
export function partSizeFor(size: number, partSize = MIN_PART_SIZE): number {
  return Math.max(partSize, Math.ceil(size / MAX_PARTS));
}

/**
 * Upload a blob: one `PutObject` when it fits one part, else one multipart
 * upload whose parts are read from the blob just before they are sent, so at
 * most `partsInFlight + 1` parts are in memory. The object appears only once
 * complete, under the write condition; a failure or a cancel aborts the
 * upload and leaves nothing.
 *
 * @returns the ETag of the new object
 */
export async function uploadBlob(
  options: IFileUploadOptions
): Promise<string | undefined> {
  const { blob, key, signal, onProgress } = options;
  const blobBodies = acceptsBlobBodies(options.bucket.client);
  const total = blob.size;
  const partSize = partSizeFor(total, options.partSize);
  const checkCancelled = () => {
    if (signal?.aborted) {
      throw new UploadCancelledError(key);
    }
  };
  checkCancelled();
  onProgress?.(0, total);
  if (total <= partSize) {
    const bytes = new Uint8Array(await blob.arrayBuffer());
    checkCancelled();
    const etag = await options.putWhole(bytes);
    onProgress?.(total, total);
    return etag;
  }
  let sent = 0;
  const upload = await MultipartUpload.start({
    bucket: options.bucket,
    key,
    contentType: options.contentType,
    partSize,
    partsInFlight: options.partsInFlight ?? FILE_PARTS_IN_FLIGHT,
    onPartDone: bytes => {
      sent += bytes;
      onProgress?.(sent, total);
    },
    ...options.condition
  });
  const onAbort = () => void upload.abort();
  signal?.addEventListener('abort', onAbort);
  try {
    for (let start = 0; start < total; start += partSize) {
      checkCancelled();
      const end = Math.min(start + partSize, total);
      if (blobBodies) {
        // The part is sent as a slice of the blob: `fetch` reads the file
        // itself; the page neither copies nor hashes its bytes.
        await upload.appendBlob(blob.slice(start, end));
        continue;
      }
      const bytes = new Uint8Array(await blob.slice(start, end).arrayBuffer());
      checkCancelled();
      await upload.append(bytes);
    }
    checkCancelled();
    return await upload.complete();
  } catch (error) {
    await upload.abort();
    if (signal?.aborted) {
      throw new UploadCancelledError(key);
    }
    throw error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
