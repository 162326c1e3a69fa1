/**
 * The S3 connector resource as the server extension describes it.
 */

/** How a connector may change its bucket. */
export type ConnectorMode = 'read-only' | 'read-write';

/** How the browser reaches the bucket. */
export type ConnectorBackend = 'proxy' | 'direct';

/** The editable fields of a connector. */
export interface IConnectorFields {
  name: string;
  description: string;
  endpoint: string;
  region: string;
  bucket: string;
  prefix: string;
  access_key_id: string;
  mode: ConnectorMode;
  backend: ConnectorBackend;
}

/** A connector as returned by the API; the secret is never part of it. */
export interface IConnector extends IConnectorFields {
  id: string;
  has_secret: boolean;
  creator: string;
  created_at: string;
  updated_at: string;
  active: boolean;
}

/** What the form sends: the fields and, optionally, a new secret key. */
export interface IConnectorInput extends IConnectorFields {
  /** Empty on edit means "keep the stored key". */
  secret_access_key: string;
}

/** Field name → message, for the fields at fault. */
export type FieldErrors = Partial<Record<keyof IConnectorInput, string>>;

/** The answer of a connection test. */
export interface ITestResult {
  ok: boolean;
  code: string;
  message: string;
}

/** What the server says about itself. */
export interface IServerInfo {
  version: string;
  allow_direct_backend: boolean;
  default_region: string;
}

/** Defaults for new connectors, from the settings. */
export interface IConnectorDefaults {
  mode: ConnectorMode;
  backend: ConnectorBackend;
  region: string;
}
