/**
 * Bodies read as they arrive: the same bytes whatever the chunks and however
 * the body is given, with or without a length, a wrong length included.
 */
import { Readable } from 'stream';

import { readBodyBytes } from '../../drive/body';

/** The bytes cut at the given offsets. */
function cut(bytes: Uint8Array, at: number[]): Uint8Array[] {
  const edges = [0, ...at, bytes.length];
  return edges.slice(1).map((end, i) => bytes.slice(edges[i], end));
}

function webStream(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      chunks.forEach(chunk => controller.enqueue(chunk));
      controller.close();
    }
  });
}

const bodies = {
  'a web stream': (chunks: Uint8Array[]) => webStream(chunks),
  'a Node stream': (chunks: Uint8Array[]) => Readable.from(chunks),
  'a body read at once': (chunks: Uint8Array[]) => ({
    transformToByteArray: async () => Buffer.concat(chunks)
  })
};

describe('readBodyBytes', () => {
  const bytes = Uint8Array.from({ length: 300000 }, (_, i) => (i * 37) & 0xff);
  const cuts = [[], [1], [65536, 65537, 200000], [7, 99999, 299999]];

  describe.each(Object.entries(bodies))('from %s', (_, make) => {
    it.each(cuts)('reads the bytes cut at %p', async (...at) => {
      for (const length of [bytes.length, undefined]) {
        const read = await readBodyBytes(make(cut(bytes, at)), length);
        expect(Buffer.from(read).equals(Buffer.from(bytes))).toBe(true);
      }
    });

    it('reads a body shorter or longer than announced as it is', async () => {
      for (const length of [bytes.length - 10, bytes.length + 10, 0]) {
        const read = await readBodyBytes(make(cut(bytes, [1000])), length);
        expect(read.length).toBe(bytes.length);
        expect(Buffer.from(read).equals(Buffer.from(bytes))).toBe(true);
      }
    });
  });

  it('reads an empty or missing body as empty', async () => {
    expect((await readBodyBytes(undefined, 0)).length).toBe(0);
    expect((await readBodyBytes(webStream([]), 0)).length).toBe(0);
  });
});
