import {
  ICatalog,
  IConnector,
  IConnectorInput,
  IMountsInfo,
  isMountBackend
} from '../../connectors/types';
import {
  ConnectorsAPIError,
  Requester,
  ServerExtensionMissingError
} from '../../requests';

/** A time as the server writes it: ISO 8601 UTC, seconds. */
function timestamp(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

/**
 * An in-memory stand-in for the REST API: the seam the model is built on.
 * contract.spec.ts holds it to the exchanges of the server's contract
 * (jupyterlab_s3_connectors/tests/api_contract.json), which the Python suite
 * replays against the real server.
 */
export class FakeAPI {
  connectors = new Map<string, IConnector>();
  calls: { endpoint: string; method: string; body: any }[] = [];
  missing = false;
  catalogs: ICatalog[] = [];
  permissions = { read: true, write: true, execute: true };
  /** What `info` says of the mount backends. */
  mounts: IMountsInfo = {
    mount_root: 's3',
    fuse: { usable: true, problem: '' },
    tools: {
      s3fs: { installed: true },
      rclone: { installed: true },
      fusermount3: { installed: true }
    },
    backends: {
      s3fs: { available: true, problem: '' },
      rclone: { available: true, problem: '' }
    }
  };
  /** IDs of mounted connectors whose mount a process holds open. */
  busy = new Set<string>();
  /** IDs of connectors whose mount fails with this message. */
  mountFailures = new Map<string, string>();
  private _next = 1;

  requester: Requester = async <T>(
    endpoint: string,
    init: RequestInit = {}
  ) => {
    const method = init.method ?? 'GET';
    const body = init.body ? JSON.parse(init.body as string) : undefined;
    this.calls.push({ endpoint, method, body });
    if (this.missing) {
      throw new ServerExtensionMissingError();
    }
    // Answer copies, as JSON over the wire would.
    const answer = this._handle(endpoint, method, body);
    return (answer === null ? null : JSON.parse(JSON.stringify(answer))) as T;
  };

  private _handle(endpoint: string, method: string, body: any): unknown {
    if (endpoint === 'info') {
      return {
        version: '0.1.0',
        allow_direct_backend: true,
        default_region: 'us-east-1',
        permissions: { ...this.permissions },
        mounts: this.mounts
      };
    }
    if (endpoint === 'connectors' && method === 'GET') {
      return { connectors: [...this.connectors.values()] };
    }
    if (endpoint === 'catalogs' && method === 'GET') {
      return { catalogs: this.catalogs };
    }
    if (endpoint === 'connectors' && method === 'POST') {
      if ([...this.connectors.values()].some(c => c.name === body.name)) {
        const message = `A connector named '${body.name}' already exists.`;
        throw new ConnectorsAPIError(message, 409, { name: message });
      }
      const { secret_access_key, ...fields } = body as IConnectorInput;
      const now = timestamp();
      const connector: IConnector = {
        credentials: 'key',
        ...fields,
        id: `id-${this._next++}`,
        has_secret: !!secret_access_key,
        creator: 'tester',
        created_at: now,
        updated_at: now,
        active: false
      };
      if (isMountBackend(connector.backend)) {
        connector.mount = {
          state: 'unmounted',
          error: null,
          path: `s3/${connector.name}`,
          local_path: `/home/jovyan/s3/${connector.name}`
        };
      }
      this.connectors.set(connector.id, connector);
      return connector;
    }
    const [path, query] = endpoint.split('?');
    const match = /^connectors\/([^/]+)(?:\/(\w+))?$/.exec(path);
    const id = match ? decodeURIComponent(match[1]) : '';
    const connector = this.connectors.get(id) ?? this._published(id);
    if (!connector) {
      throw new ConnectorsAPIError(
        `There is no connector with id '${id}'.`,
        404
      );
    }
    const action = match![2];
    if (connector.mount && (action === 'activate' || action === 'remount')) {
      const failure = this.mountFailures.get(id);
      if (failure) {
        connector.mount = {
          ...connector.mount,
          state: 'failed',
          error: failure
        };
        const message = `Connector '${connector.name}' could not be mounted at ${connector.mount.path}: ${failure}`;
        throw new ConnectorsAPIError(message, 400, {}, 'mount.failed');
      }
      connector.mount = { ...connector.mount, state: 'mounted', error: null };
    }
    if (action === 'deactivate' && connector.mount && connector.active) {
      if (this.busy.has(id) && query !== 'force=true') {
        const message = `${connector.mount.path} is busy: a process holds a file or folder open in it.`;
        throw new ConnectorsAPIError(message, 409, {}, 'mount.busy');
      }
      connector.mount = { ...connector.mount, state: 'unmounted', error: null };
    }
    if (action === 'activate' || action === 'deactivate') {
      connector.active = action === 'activate';
      connector.updated_at = timestamp();
      return connector;
    }
    if (action === 'publish' || action === 'unpublish') {
      return this._publish(connector, action, body.catalog);
    }
    if (action === 'remount') {
      return connector;
    }
    if (action === 'test') {
      return {
        ok: true,
        code: 'ok',
        message: `Connected to bucket '${connector.bucket}'.`
      };
    }
    if (action === undefined && method === 'GET') {
      return connector;
    }
    if (action === undefined && method === 'PATCH') {
      const { secret_access_key, ...changes } = body as IConnectorInput;
      Object.assign(connector, changes, { updated_at: timestamp() });
      connector.has_secret = connector.has_secret || !!secret_access_key;
      return connector;
    }
    if (action === undefined && method === 'DELETE') {
      if (connector.active) {
        throw new ConnectorsAPIError(
          `Connector '${connector.name}' is active: deactivate it before deleting it.`,
          409
        );
      }
      this.connectors.delete(connector.id);
      return null;
    }
    throw new Error(`unexpected ${method} ${endpoint}`);
  }

  private _published(id: string): IConnector | undefined {
    return this.catalogs
      .flatMap(catalog => catalog.connectors)
      .find(c => c.id === id);
  }

  private _publish(
    connector: IConnector,
    action: 'publish' | 'unpublish',
    name: string
  ): IConnector | null {
    const catalog = this.catalogs.find(c => c.name === name);
    if (!catalog) {
      throw new ConnectorsAPIError(`There is no catalog named '${name}'.`, 404);
    }
    const id = `${name}.${connector.id}`;
    catalog.connectors = catalog.connectors.filter(c => c.id !== id);
    if (action === 'unpublish') {
      return null;
    }
    const copy: IConnector = {
      ...connector,
      id,
      active: false,
      catalog: name,
      published_by: 'tester',
      published_at: timestamp(),
      editable: false,
      can_unpublish: true
    };
    catalog.connectors.push(copy);
    return copy;
  }
}
