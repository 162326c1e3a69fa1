/**
 * File types, and the encoding of contents between JupyterLab models and
 * object bodies.
 */

import { extname } from './paths';

/** How a file is shown and transferred. */
export interface IFileType {
  type: 'notebook' | 'file';
  format: 'json' | 'text' | 'base64';
  mimetype: string;
}

/** A function telling the file type of a drive path. */
export type FileTypeResolver = (path: string) => IFileType;

/** The mimetype of notebooks. */
export const NOTEBOOK_MIMETYPE = 'application/x-ipynb+json';

/** Text extensions and their mimetypes, for the default resolver. */
const TEXT_TYPES: Record<string, string> = {
  '.txt': 'text/plain',
  '.md': 'text/markdown',
  '.markdown': 'text/markdown',
  '.rst': 'text/x-rst',
  '.csv': 'text/csv',
  '.tsv': 'text/tab-separated-values',
  '.json': 'application/json',
  '.geojson': 'application/geo+json',
  '.jsonl': 'text/plain',
  '.yaml': 'text/x-yaml',
  '.yml': 'text/x-yaml',
  '.toml': 'text/x-toml',
  '.ini': 'text/plain',
  '.cfg': 'text/plain',
  '.conf': 'text/plain',
  '.log': 'text/plain',
  '.py': 'text/x-python',
  '.r': 'text/x-rsrc',
  '.jl': 'text/x-julia',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.ts': 'text/typescript',
  '.tsx': 'text/typescript-jsx',
  '.jsx': 'text/jsx',
  '.html': 'text/html',
  '.htm': 'text/html',
  '.css': 'text/css',
  '.xml': 'application/xml',
  '.svg': 'image/svg+xml',
  '.sh': 'text/x-sh',
  '.bash': 'text/x-sh',
  '.sql': 'application/sql',
  '.tex': 'text/x-tex',
  '.c': 'text/x-csrc',
  '.h': 'text/x-csrc',
  '.cpp': 'text/x-c++src',
  '.hpp': 'text/x-c++src',
  '.java': 'text/x-java',
  '.go': 'text/x-go',
  '.rs': 'text/x-rustsrc',
  '.scala': 'text/x-scala',
  '.m': 'text/x-octave'
};

/** Binary extensions with a known mimetype, for the default resolver. */
const BINARY_TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.bmp': 'image/bmp',
  '.ico': 'image/x-icon',
  '.pdf': 'application/pdf',
  '.zip': 'application/zip',
  '.gz': 'application/gzip',
  '.parquet': 'application/vnd.apache.parquet'
};

/**
 * The default file types, used when the plugin gives none (Node tests):
 * `.ipynb` → notebook/json, text extensions → file/text, else file/base64.
 */
export function defaultFileType(path: string): IFileType {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const ext = extname(name).toLowerCase();
  if (ext === '.ipynb') {
    return { type: 'notebook', format: 'json', mimetype: NOTEBOOK_MIMETYPE };
  }
  if (ext in TEXT_TYPES) {
    return { type: 'file', format: 'text', mimetype: TEXT_TYPES[ext] };
  }
  return {
    type: 'file',
    format: 'base64',
    mimetype: BINARY_TYPES[ext] ?? 'application/octet-stream'
  };
}

/**
 * An empty notebook, as Jupyter server creates it.
 */
export function emptyNotebook(): Record<string, unknown> {
  return { cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 };
}

/**
 * Serialize a notebook like nbformat does (indent 1, final newline).
 */
export function serializeNotebook(content: unknown): string {
  return JSON.stringify(content, null, 1) + '\n';
}

/**
 * Encode the content of a model to the bytes of an object.
 *
 * @throws Error when the content does not match its format.
 */
export function encodeContent(
  content: unknown,
  format: string | null | undefined,
  type: string | undefined
): Uint8Array {
  if (type === 'notebook' || format === 'json') {
    const text =
      typeof content === 'string' ? content : serializeNotebook(content);
    return new TextEncoder().encode(text);
  }
  if (format === 'base64') {
    if (typeof content !== 'string') {
      throw new TypeError('base64 content must be a string');
    }
    return base64ToBytes(content);
  }
  if (typeof content !== 'string') {
    throw new TypeError('text content must be a string');
  }
  return new TextEncoder().encode(content);
}

/**
 * Decode bytes as strict UTF-8, or return `null` when they are not UTF-8.
 *
 * A byte order mark is kept (as U+FEFF), as Jupyter server keeps it, so that
 * a text file saved again is the same bytes.
 */
export function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(
      bytes
    );
  } catch {
    return null;
  }
}

const ALPHABET =
  'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

const LOOKUP = (() => {
  const table = new Int16Array(256).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) {
    table[ALPHABET.charCodeAt(i)] = i;
  }
  // base64url, which some encoders produce.
  table['-'.charCodeAt(0)] = 62;
  table['_'.charCodeAt(0)] = 63;
  return table;
})();

/** The base64 methods of `Uint8Array` (Chromium 140+, Firefox 133+). */
interface INativeBase64 {
  fromBase64?: (text: string) => Uint8Array;
  prototype: {
    toBase64?: (this: Uint8Array) => string;
    setFromBase64?: (
      this: Uint8Array,
      text: string
    ) => { read: number; written: number };
  };
}

/** Node's `Buffer`, where there is one. */
interface INodeBuffer {
  from(text: string, encoding: 'base64'): Uint8Array;
  from(
    buffer: ArrayBufferLike,
    offset: number,
    length: number
  ): {
    toString(encoding: 'base64'): string;
    write(
      text: string,
      offset: number,
      length: number,
      encoding: 'base64'
    ): number;
  };
  byteLength(text: string, encoding: 'utf8'): number;
}

const nativeBase64 = Uint8Array as unknown as INativeBase64;

function nodeBuffer(): INodeBuffer | undefined {
  return (globalThis as { Buffer?: INodeBuffer }).Buffer;
}

/**
 * What Node's decoder reads as `base64ToBytesPortable` does: it skips what it
 * cannot read and stops at a `=`, so other strings take the portable path.
 */
const NODE_SAFE = /^[A-Za-z0-9+/\-_\t\n\f\r ]*=*[\t\n\f\r ]*$/;

/**
 * Decode base64 (whitespace ignored, padding optional) to bytes.
 *
 * Uses the platform's decoder, `Uint8Array.fromBase64`, else Node's `Buffer`,
 * else `atob`, for what it decodes as `base64ToBytesPortable` does, and that
 * one for the rest (base64url, misplaced `=`, invalid input).
 *
 * @throws TypeError on a character outside the alphabet.
 */
export function base64ToBytes(text: string): Uint8Array {
  const decoded = nativeBase64.fromBase64
    ? Base64Decoders.native(text)
    : nodeBuffer()
      ? Base64Decoders.node(text)
      : Base64Decoders.atob(text);
  return decoded ?? base64ToBytesPortable(text);
}

/**
 * The most bytes `text` decodes to (exactly that for unbroken base64).
 */
export function base64DecodedLength(text: string): number {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 61 /* = */) {
    end--;
  }
  return Math.floor((end * 3) / 4);
}

/**
 * Decode base64 into `target` (from its start), which has room for
 * `base64DecodedLength(text)` bytes, with the platform's decoder, as
 * `base64ToBytes` decodes it: the bytes written, or `null` when the platform
 * decoder cannot read this text the same (then use `base64ToBytes`, which
 * also tells what is invalid).
 */
export function base64ToBytesInto(
  text: string,
  target: Uint8Array
): number | null {
  if (nativeBase64.prototype.setFromBase64) {
    try {
      const { read, written } = nativeBase64.prototype.setFromBase64.call(
        target,
        text
      );
      return read === text.length ? written : null;
    } catch {
      return null;
    }
  }
  const buffer = nodeBuffer();
  if (buffer) {
    const written = buffer
      .from(target.buffer, target.byteOffset, target.byteLength)
      .write(text, 0, target.byteLength, 'base64');
    return Base64Decoders.nodeReadWhole(text, written) || NODE_SAFE.test(text)
      ? written
      : null;
  }
  return null;
}

/**
 * The platform decoders behind `base64ToBytes`. Each returns the bytes
 * `base64ToBytesPortable` would, or `null` for input it does not take (or
 * when the platform lacks it). Exported for tests.
 */
export namespace Base64Decoders {
  /**
   * `Uint8Array.fromBase64`: what it accepts (standard alphabet, ASCII
   * whitespace, padding at the end, if any) is read the same.
   */
  export function native(text: string): Uint8Array | null {
    if (!nativeBase64.fromBase64) {
      return null;
    }
    try {
      return nativeBase64.fromBase64(text);
    } catch {
      return null;
    }
  }

  /**
   * Node's `Buffer`, for strings it reads whole (`nodeReadWhole`) or that
   * `NODE_SAFE` allows.
   */
  export function node(text: string): Uint8Array | null {
    const buffer = nodeBuffer();
    if (!buffer) {
      return null;
    }
    const decoded = buffer.from(text, 'base64');
    const bytes = new Uint8Array(
      decoded.buffer,
      decoded.byteOffset,
      decoded.byteLength
    );
    return nodeReadWhole(text, bytes.length) || NODE_SAFE.test(text)
      ? bytes
      : null;
  }

  /**
   * Whether Node's decoder read all of `text`, having given `length` bytes.
   * It skips what is not base64 and stops at a `=`: an ASCII string of 4n
   * characters ending in p ≤ 2 `=` was read whole when it gave 3n - p bytes
   * (else some character was skipped, or decoding stopped). Cheaper than a
   * pattern.
   */
  export function nodeReadWhole(text: string, length: number): boolean {
    const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
    return (
      text.length % 4 === 0 &&
      length === (text.length / 4) * 3 - padding &&
      nodeBuffer()?.byteLength(text, 'utf8') === text.length
    );
  }

  /**
   * `atob` (forgiving-base64: standard alphabet, ASCII whitespace, padding at
   * the end) and a copy of its characters.
   */
  export function atob(text: string): Uint8Array | null {
    if (typeof globalThis.atob !== 'function') {
      return null;
    }
    let binary: string;
    try {
      binary = globalThis.atob(text);
    } catch {
      return null;
    }
    const out = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) {
      out[i] = binary.charCodeAt(i);
    }
    return out;
  }
}

/**
 * Decode base64 in plain JavaScript: whitespace and `=` ignored anywhere,
 * base64url accepted, a lone last character dropped.
 *
 * @throws TypeError on a character outside the alphabet.
 */
export function base64ToBytesPortable(text: string): Uint8Array {
  const clean = text.replace(/[\s=]+/g, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let buffer = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < clean.length; i++) {
    const value = LOOKUP[clean.charCodeAt(i)];
    if (value === undefined || value < 0) {
      throw new TypeError('invalid base64 content');
    }
    buffer = (buffer << 6) | value;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (buffer >> bits) & 0xff;
    }
  }
  return out.subarray(0, o);
}

/**
 * Encode bytes as base64: `Uint8Array.prototype.toBase64`, else Node's
 * `Buffer`, else `btoa` on chunks.
 */
export function bytesToBase64(bytes: Uint8Array): string {
  const toBase64 = nativeBase64.prototype.toBase64;
  if (toBase64) {
    return toBase64.call(bytes);
  }
  const buffer = nodeBuffer();
  if (buffer) {
    return buffer
      .from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
      .toString('base64');
  }
  return bytesToBase64Portable(bytes);
}

/** Bytes a `String.fromCharCode` call takes (a multiple of 3, for `btoa`). */
const BTOA_CHUNK = 3 * 8192;

/**
 * Encode bytes as base64 without `Buffer` or `toBase64`: `btoa` on chunks
 * where it exists, else in plain JavaScript.
 */
export function bytesToBase64Portable(bytes: Uint8Array): string {
  if (typeof globalThis.btoa === 'function') {
    const parts: string[] = [];
    for (let start = 0; start < bytes.length; start += BTOA_CHUNK) {
      const chunk = bytes.subarray(start, start + BTOA_CHUNK);
      parts.push(
        globalThis.btoa(
          String.fromCharCode.apply(null, chunk as unknown as number[])
        )
      );
    }
    return parts.join('');
  }
  const codes = new Uint8Array(Math.ceil(bytes.length / 3) * 4);
  const alphabet = Uint8Array.from(ALPHABET, c => c.charCodeAt(0));
  const pad = '='.charCodeAt(0);
  let o = 0;
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const triple = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    codes[o++] = alphabet[(triple >> 18) & 63];
    codes[o++] = alphabet[(triple >> 12) & 63];
    codes[o++] = alphabet[(triple >> 6) & 63];
    codes[o++] = alphabet[triple & 63];
  }
  if (i < bytes.length) {
    const rest = bytes.length - i;
    const triple = (bytes[i] << 16) | (rest > 1 ? bytes[i + 1] << 8 : 0);
    codes[o++] = alphabet[(triple >> 18) & 63];
    codes[o++] = alphabet[(triple >> 12) & 63];
    codes[o++] = rest > 1 ? alphabet[(triple >> 6) & 63] : pad;
    codes[o++] = pad;
  }
  // ASCII only: the latin1 decoder maps each byte to its character.
  return new TextDecoder('latin1').decode(codes);
}

/**
 * Concatenate byte arrays.
 */
export function concatBytes(chunks: Uint8Array[], total?: number): Uint8Array {
  const size = total ?? chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
