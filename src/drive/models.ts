/**
 * Contents models of the drive's files and folders, validated as JupyterLab
 * validates the server's.
 */

import { Contents } from '@jupyterlab/services';
import { TranslationBundle } from '@jupyterlab/translation';

import {
  bytesToBase64,
  decodeUtf8,
  FileTypeResolver,
  NOTEBOOK_MIMETYPE
} from './content';
import { S3DriveError } from './errors';
import { splitLast } from './paths';

/** What S3 says of an object: from a listing, a HEAD or a GET. */
export interface IObjectInfo {
  size: number;
  lastModified?: Date;
  etag?: string;
}

/**
 * Builds the models of one drive.
 */
export class ModelFactory {
  constructor(
    private readonly _options: {
      readOnly: boolean;
      fileType: FileTypeResolver;
      trans: TranslationBundle;
    }
  ) {}

  /**
   * A file without its content (a listing entry, a HEAD, a save's answer).
   */
  file(path: string, info: IObjectInfo): Contents.IModel {
    const fileType = this._options.fileType(path);
    const modified = info.lastModified ? info.lastModified.toISOString() : '';
    return validated({
      name: splitLast(path).name,
      path,
      type: fileType.type,
      writable: !this._options.readOnly,
      created: modified,
      last_modified: modified,
      mimetype: fileType.mimetype,
      content: null,
      format: null,
      size: info.size,
      hash: unquote(info.etag),
      hash_algorithm: 'etag'
    });
  }

  /**
   * A file with its content, decoded per the requested or registered format:
   * notebook → parsed JSON, text → UTF-8 string, base64 → base64. Bytes that
   * are not UTF-8 fall back to base64 unless text was asked for explicitly.
   */
  fileWithContent(
    path: string,
    bytes: Uint8Array,
    info: IObjectInfo,
    options: Contents.IFetchOptions
  ): Contents.IModel {
    const trans = this._options.trans;
    const fileType = this._options.fileType(path);
    const type =
      options.type === 'notebook' || options.type === 'file'
        ? options.type
        : fileType.type;
    let format: Contents.FileFormat =
      options.format ?? (type === 'notebook' ? 'json' : fileType.format);
    let mimetype = type === 'notebook' ? NOTEBOOK_MIMETYPE : fileType.mimetype;
    let content: unknown;
    if (format === 'base64') {
      content = bytesToBase64(bytes);
    } else {
      const text = decodeUtf8(bytes);
      if (text === null) {
        if (options.format || type === 'notebook') {
          throw new S3DriveError(
            trans.__(
              '"%1" is not UTF-8 encoded text: open it with another viewer.',
              path
            ),
            { code: 'NotUTF8', status: 400 }
          );
        }
        format = 'base64';
        mimetype = 'application/octet-stream';
        content = bytesToBase64(bytes);
      } else if (format === 'json') {
        try {
          // JSON has no byte order mark.
          content = JSON.parse(text.replace(/^\uFEFF/, ''));
        } catch (error) {
          throw new S3DriveError(
            trans.__(
              '"%1" is not valid JSON (%2): open it with the text editor to fix it.',
              path,
              (error as Error).message
            ),
            { code: 'InvalidJSON', status: 400 }
          );
        }
      } else {
        content = text;
      }
    }
    const modified = (info.lastModified ?? new Date()).toISOString();
    return validated({
      name: splitLast(path).name,
      path,
      type,
      writable: !this._options.readOnly,
      created: modified,
      last_modified: modified,
      mimetype,
      content,
      format,
      size: bytes.length,
      hash: unquote(info.etag),
      hash_algorithm: 'etag'
    });
  }

  /**
   * The answer to a chunk before the last: nothing is visible in the bucket
   * yet, so there is no date nor hash.
   */
  partialFile(path: string, size: number): Contents.IModel {
    const modified = now();
    return validated({
      name: splitLast(path).name,
      path,
      type: 'file',
      writable: true,
      created: modified,
      last_modified: modified,
      mimetype: this._options.fileType(path).mimetype,
      content: null,
      format: null,
      size
    });
  }

  /**
   * A folder, with its children or without content. S3 gives folders no
   * date unless they have a marker: `modified` is then `''`, which the file
   * browser shows as blank.
   */
  directory(
    path: string,
    content: Contents.IModel[] | null,
    modified: string
  ): Contents.IModel {
    return validated({
      name: path ? splitLast(path).name : '',
      path,
      type: 'directory',
      writable: !this._options.readOnly,
      created: modified,
      last_modified: modified,
      mimetype: '',
      content,
      format: content ? 'json' : null
    });
  }
}

/**
 * Unquote an ETag: `"abc"` → `abc`.
 */
export function unquote(etag: string | undefined): string | undefined {
  return etag?.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
}

/**
 * Now, as an ISO date.
 */
export function now(): string {
  return new Date().toISOString();
}

function validated(model: Contents.IModel): Contents.IModel {
  Contents.validateContentsModel(model);
  return model;
}
