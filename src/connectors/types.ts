/**
 * The S3 connector resource as the server extension describes it.
 */

/** How a connector may change its bucket. */
export type ConnectorMode = 'read-only' | 'read-write';

/**
 * How JupyterLab reaches the bucket: the browser drive through the server
 * (`proxy`) or straight from the browser (`direct`), or a FUSE mount on the
 * server (`s3fs`, `rclone`) shown in the main file browser.
 */
export type ConnectorBackend = 'proxy' | 'direct' | 's3fs' | 'rclone';

/** The backends that mount the bucket on the server. */
export const MOUNT_BACKENDS: ReadonlyArray<ConnectorBackend> = [
  's3fs',
  'rclone'
];

/** Whether a backend mounts the bucket on the server. */
export function isMountBackend(backend: string): boolean {
  return (MOUNT_BACKENDS as ReadonlyArray<string>).includes(backend);
}

/** The state of a connector's mount on the server. */
export type MountState =
  'unmounted' | 'mounting' | 'mounted' | 'failed' | 'lost';

/** A mount backend connector's mount, as the server reports it. */
export interface IMountStatus {
  state: MountState;
  /** The mount tool's own error line (failed, lost). */
  error: string | null;
  /** The mount point as a path of the main file browser (null: outside it). */
  path: string | null;
  /** The mount point on the server's file system. */
  local_path: string;
}

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
  /**
   * Where the key comes from: `key`, the connector's own (the default), or
   * `server`, the Jupyter server's own AWS credentials (proxy backend only).
   */
  credentials?: ConnectorCredentials;
}

/** Where a connector's key comes from. */
export type ConnectorCredentials = 'key' | 'server';

/** A connector as returned by the API; the secret is never part of it. */
export interface IConnector extends IConnectorFields {
  id: string;
  has_secret: boolean;
  creator: string;
  created_at: string;
  updated_at: string;
  active: boolean;
  /** Only for the mount backends. */
  mount?: IMountStatus;
  /** Published connectors only: the catalog that holds this copy. */
  catalog?: string;
  /** Published connectors only: who published it, and when (UTC). */
  published_by?: string;
  published_at?: string;
  /** False for published connectors: their publisher edits the original. */
  editable?: boolean;
  /** Published connectors only: whether this user published it (may withdraw it). */
  can_unpublish?: boolean;
  /**
   * Published connectors only: where the key comes from: the catalog (stored
   * encrypted), the administrator (an environment variable or a file of the
   * server) or the server's own AWS credentials.
   */
  secret_source?: 'catalog' | 'administrator' | 'server';
}

/**
 * A catalog: connectors published for a team (a directory the team's servers
 * share), or provided by the administrator (`read_only`).
 */
export interface ICatalog {
  name: string;
  title: string;
  read_only: boolean;
  /** Why the catalog can't be read, or null. */
  unavailable: string | null;
  /** Why this user may not publish to it, or null. */
  cannot_publish: string | null;
  /** Files of the catalog that were skipped, and why. */
  problems: string[];
  connectors: IConnector[];
}

/** What the server's authorizer lets the user do with the connectors. */
export interface IPermissions {
  /** List and view connectors. */
  read: boolean;
  /** Create, edit, delete and publish connectors. */
  write: boolean;
  /** Activate connectors, test them and use their buckets. */
  execute: boolean;
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

/** What the server offers the mount backends. */
export interface IMountsInfo {
  /** The mount root as a path of the main file browser (null: outside it). */
  mount_root: string | null;
  fuse: { usable: boolean; problem: string };
  tools: Record<string, { installed: boolean }>;
  /** Each mount backend: whether it can work here, and why not. */
  backends: Record<string, { available: boolean; problem: string }>;
}

/** What the server says about itself. */
export interface IServerInfo {
  version: string;
  allow_direct_backend: boolean;
  default_region: string;
  permissions?: IPermissions;
  /** Absent from servers older than the mount backends. */
  mounts?: IMountsInfo | null;
}

/** Defaults for new connectors, from the settings. */
export interface IConnectorDefaults {
  mode: ConnectorMode;
  backend: ConnectorBackend;
  region: string;
}
