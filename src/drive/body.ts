/**
 * Reading an object's body into one array of bytes as it arrives.
 *
 * S3 says how long a body is (`Content-Length`): its chunks are copied into
 * one array of that size while the rest is still on its way, so the copy
 * overlaps the transfer instead of following it (the SDK's
 * `transformToByteArray` gathers the chunks and joins them at the end). The
 * content's one decoding (UTF-8 or base64) then starts as soon as the last
 * chunk is in. Decoding piece by piece as the chunks come was tried: joining
 * the pieces' strings costs as much as decoding them.
 */

import { concatBytes } from './content';

/** A Node stream, as far as it is read here. */
interface INodeReadable {
  on(event: 'data', listener: (chunk: Uint8Array) => void): unknown;
  on(event: 'end' | 'close', listener: () => void): unknown;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  pipe: unknown;
}

/**
 * Hand each chunk of a response body to `onChunk` as it comes: a web
 * `ReadableStream` (browsers, `fetch`), a Node stream (its `data` events:
 * its async iterator costs a promise per chunk of 16 KiB), or a body that
 * can only give all its bytes at once.
 */
export async function forEachChunk(
  body: unknown,
  onChunk: (chunk: Uint8Array) => void
): Promise<void> {
  if (body === undefined || body === null) {
    return;
  }
  const stream = body as Partial<ReadableStream<Uint8Array>>;
  if (typeof stream.getReader === 'function') {
    const reader = stream.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) {
          return;
        }
        onChunk(value);
      }
    } finally {
      reader.releaseLock();
    }
  }
  const node = body as Partial<INodeReadable>;
  if (typeof node.on === 'function' && node.pipe !== undefined) {
    const readable = node as INodeReadable;
    return new Promise<void>((resolve, reject) => {
      let ended = false;
      readable.on('data', chunk => {
        try {
          onChunk(chunk);
        } catch (error) {
          reject(error);
        }
      });
      readable.on('end', () => {
        ended = true;
        resolve();
      });
      readable.on('error', reject);
      readable.on('close', () => {
        if (!ended) {
          reject(new Error('The S3 answer ended before its body was read.'));
        }
      });
    });
  }
  const whole = body as {
    transformToByteArray?: () => Promise<Uint8Array>;
    arrayBuffer?: () => Promise<ArrayBuffer>;
  };
  if (typeof whole.transformToByteArray === 'function') {
    onChunk(await whole.transformToByteArray());
  } else if (typeof whole.arrayBuffer === 'function') {
    onChunk(new Uint8Array(await whole.arrayBuffer()));
  } else {
    throw new TypeError('The S3 answer has a body that cannot be read.');
  }
}

/**
 * Read a body to bytes, copying each chunk into place as it comes when the
 * body's length is known.
 *
 * @param length the body's `Content-Length`, if the answer gave it
 */
export async function readBodyBytes(
  body: unknown,
  length?: number
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let out =
    length !== undefined && Number.isSafeInteger(length) && length > 0
      ? new Uint8Array(length)
      : null;
  let size = 0;
  await forEachChunk(body, chunk => {
    if (out && size + chunk.length <= out.length) {
      out.set(chunk, size);
    } else {
      if (out) {
        // Longer than announced: gather the chunks instead.
        chunks.push(out.subarray(0, size));
        out = null;
      }
      chunks.push(chunk);
    }
    size += chunk.length;
  });
  if (out) {
    return size === out.length ? out : out.subarray(0, size);
  }
  return chunks.length === 1 ? chunks[0] : concatBytes(chunks, size);
}
