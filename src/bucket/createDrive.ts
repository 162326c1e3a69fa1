import { DocumentRegistry } from '@jupyterlab/docregistry';
import { ServerConnection } from '@jupyterlab/services';
import { TranslationBundle } from '@jupyterlab/translation';

import { IConnector } from '../connectors/types';
import {
  createDownloadUrl,
  createS3Client,
  defaultFileType,
  IFileType,
  NOTEBOOK_MIMETYPE,
  S3Drive
} from '../drive';

/**
 * Make the drive of an active connector.
 *
 * This module is the entry of the lazily loaded chunk that holds the drive and
 * the AWS SDK: JupyterLab's start-up does not load it until a connector is
 * active.
 */
export function createS3Drive(options: createS3Drive.IOptions): S3Drive {
  const { connector, serverSettings } = options;
  const client = createS3Client({
    connector,
    serverSettings,
    secretAccessKey: options.secretAccessKey
  });
  const proxied = connector.backend !== 'direct';
  return new S3Drive({
    name: options.name,
    title: connector.name,
    client,
    bucket: connector.bucket,
    prefix: connector.prefix,
    readOnly: connector.mode === 'read-only',
    serverSettings,
    endpoint: connector.endpoint,
    crossOrigin: !proxied,
    proxied,
    fileType: path => fileTypeOf(options.docRegistry, path),
    // Through the proxy, a download is a same-origin GET authenticated by the
    // session; direct connectors get a presigned GET as an attachment. Both
    // carry the key so that it reaches exactly its object.
    downloadUrl: createDownloadUrl(
      { connector, serverSettings, secretAccessKey: options.secretAccessKey },
      client,
      connector.bucket
    ),
    trans: options.trans
  });
}

export namespace createS3Drive {
  export interface IOptions {
    connector: IConnector;
    /** The secret key, for `direct` connectors only. */
    secretAccessKey?: string;
    /** The drive's name: the `name:` of its paths. */
    name: string;
    serverSettings: ServerConnection.ISettings;
    docRegistry: DocumentRegistry;
    trans: TranslationBundle;
  }
}

/**
 * The type, format and mimetype of a path, from the document registry, so
 * that a bucket's files open like local ones.
 */
function fileTypeOf(registry: DocumentRegistry, path: string): IFileType {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const types = registry.getFileTypesForPath(name);
  const fallback = defaultFileType(path);
  if (!types.length) {
    return fallback;
  }
  if (types.some(t => t.contentType === 'notebook')) {
    return { type: 'notebook', format: 'json', mimetype: NOTEBOOK_MIMETYPE };
  }
  const fileType = types[0];
  return {
    type: 'file',
    format: fileType.fileFormat === 'base64' ? 'base64' : 'text',
    mimetype: fileType.mimeTypes[0] ?? fallback.mimetype
  };
}
