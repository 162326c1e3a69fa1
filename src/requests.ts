import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { FieldErrors } from './connectors/types';

/** The REST API's path below the server's base URL. */
export const API_PATH = 's3-connectors/api';

/**
 * An error answered by the connectors API, with the fields at fault when the
 * server rejected the input.
 */
export class ConnectorsAPIError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly fieldErrors: FieldErrors = {},
    /** The server's stable code of the reason, when it gives one (`mount.busy`…). */
    readonly code: string = ''
  ) {
    super(message);
    this.name = 'ConnectorsAPIError';
  }
}

/**
 * The server extension is not installed or not enabled: every API path is a
 * 404 from Jupyter server itself.
 */
export class ServerExtensionMissingError extends Error {
  constructor() {
    super(
      'The jupyterlab_s3_connectors server extension is not running. ' +
        'Install it with "pip install jupyterlab-s3-connectors", enable it with ' +
        '"jupyter server extension enable jupyterlab_s3_connectors" and restart JupyterLab.'
    );
    this.name = 'ServerExtensionMissingError';
  }
}

/** A function that calls the connectors API; the model takes one. */
export type Requester = <T>(endpoint: string, init?: RequestInit) => Promise<T>;

/**
 * Call the connectors REST API and return the decoded JSON answer.
 *
 * @param endpoint API path below `s3-connectors/api/`
 * @param init the request's method, body…
 */
export async function requestAPI<T>(
  endpoint = '',
  init: RequestInit = {},
  settings?: ServerConnection.ISettings
): Promise<T> {
  settings = settings ?? ServerConnection.makeSettings();
  const url = URLExt.join(settings.baseUrl, API_PATH, endpoint);
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, settings);
  } catch (error) {
    throw new ServerConnection.NetworkError(error as TypeError);
  }
  const text = await response.text();
  let data: any = null; // eslint-disable-line @typescript-eslint/no-explicit-any -- decoded JSON of any shape
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    const fromServer =
      data && typeof data.message === 'string' ? data.message : '';
    // Our handlers always answer JSON; Jupyter server's own 404 page (no such
    // handler) is HTML, which means the server extension is not loaded.
    if (response.status === 404 && data === null) {
      throw new ServerExtensionMissingError();
    }
    throw new ConnectorsAPIError(
      fromServer || `${response.status} ${response.statusText}`,
      response.status,
      (data && data.errors) || {},
      data && typeof data.code === 'string' ? data.code : ''
    );
  }
  return data as T;
}
