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
 */
export function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
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

/**
 * Decode base64 (whitespace ignored, padding optional) to bytes.
 *
 * @throws TypeError on a character outside the alphabet.
 */
export function base64ToBytes(text: string): Uint8Array {
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
 * Encode bytes as base64.
 */
export function bytesToBase64(bytes: Uint8Array): string {
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
