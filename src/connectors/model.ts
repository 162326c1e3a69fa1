import { ServerConnection } from '@jupyterlab/services';
import { PromiseDelegate } from '@lumino/coreutils';
import { DisposableDelegate, IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import {
  ConnectorsAPIError,
  requestAPI,
  Requester,
  ServerExtensionMissingError
} from '../requests';
import { IConnectorsModel } from '../tokens';
import {
  ICatalog,
  IConnector,
  IConnectorInput,
  IPermissions,
  IServerInfo,
  ITestResult
} from './types';

/** Everything is allowed until the server says otherwise. */
const ALL_PERMISSIONS: IPermissions = {
  read: true,
  write: true,
  execute: true
};

/**
 * The connectors known to the server, and the calls that change them.
 *
 * Widgets render this state and commands call its methods; every change is
 * announced through `changed`.
 */
export class ConnectorsModel implements IConnectorsModel {
  constructor(options: ConnectorsModel.IOptions = {}) {
    const settings = options.serverSettings;
    this._mountPollInterval = options.mountPollInterval ?? 10000;
    this._request =
      options.requester ??
      (<T>(endpoint: string, init?: RequestInit) =>
        requestAPI<T>(endpoint, init, settings));
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get activeChanged(): ISignal<this, IConnectorsModel.IActiveChange> {
    return this._activeChanged;
  }

  /** The user's own connectors and the published ones, sorted by name. */
  get connectors(): ReadonlyArray<IConnector> {
    return this._connectors;
  }

  /** The catalogs of published connectors, as last loaded. */
  get catalogs(): ReadonlyArray<ICatalog> {
    return this._catalogs;
  }

  /** What the server's authorizer lets this user do. */
  get permissions(): IPermissions {
    return this._info?.permissions ?? ALL_PERMISSIONS;
  }

  get status(): IConnectorsModel.Status {
    return this._status;
  }

  get error(): string {
    return this._error;
  }

  get serverInfo(): IServerInfo | null {
    return this._info;
  }

  get selectedId(): string | null {
    return this._selectedId;
  }

  set selectedId(id: string | null) {
    if (id === this._selectedId) {
      return;
    }
    this._selectedId = id;
    this._changed.emit();
  }

  /** Resolves after the first load from the server, whether it succeeded or not. */
  get ready(): Promise<void> {
    return this._ready.promise;
  }

  /**
   * Add a check that runs before a connector is deactivated; when one resolves
   * to false, the connector stays active.
   */
  addDeactivationGuard(guard: IConnectorsModel.DeactivationGuard): IDisposable {
    this._guards.add(guard);
    return new DisposableDelegate(() => this._guards.delete(guard));
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Find a connector by ID or by name (the user's own first). */
  find(idOrName: string): IConnector | undefined {
    return (
      this._connectors.find(c => c.id === idOrName) ??
      this._connectors.find(c => !c.catalog && c.name === idOrName) ??
      this._connectors.find(c => c.name === idOrName)
    );
  }

  /** The catalogs where the user's connector `id` is published. */
  publications(id: string): string[] {
    return this._catalogs
      .filter(catalog =>
        catalog.connectors.some(c => c.id === publishedId(catalog.name, id))
      )
      .map(catalog => catalog.name);
  }

  /** Publish the user's connector to a catalog, or update its published copy. */
  async publish(id: string, catalog: string): Promise<IConnector> {
    const published = await this._request<IConnector>(
      `connectors/${encodeURIComponent(id)}/publish`,
      { method: 'POST', body: JSON.stringify({ catalog }) }
    );
    await this._reloadCatalogs();
    return published;
  }

  /** Withdraw the user's connector from a catalog. */
  async unpublish(id: string, catalog: string): Promise<void> {
    await this._request<void>(
      `connectors/${encodeURIComponent(id)}/unpublish`,
      {
        method: 'POST',
        body: JSON.stringify({ catalog })
      }
    );
    await this._reloadCatalogs();
  }

  /** Load the list from the server. */
  async refresh(): Promise<void> {
    this._status = this._connectors.length ? this._status : 'loading';
    this._changed.emit();
    try {
      if (!this._info) {
        this._info = await this._request<IServerInfo>('info');
      }
      const [reply, catalogs] = await Promise.all([
        this._request<{ connectors: IConnector[] }>('connectors'),
        this._request<{ catalogs: ICatalog[] }>('catalogs')
      ]);
      this._catalogs = catalogs.catalogs;
      this._setConnectors(reply.connectors);
      this._status = 'ready';
      this._error = '';
      this._scheduleMountPoll();
    } catch (error) {
      this._status =
        error instanceof ServerExtensionMissingError
          ? 'missing-server'
          : 'error';
      this._error = (error as Error).message;
      this._changed.emit();
      this._ready.resolve();
      throw error;
    }
    this._changed.emit();
    this._ready.resolve();
  }

  async create(input: IConnectorInput): Promise<IConnector> {
    const connector = await this._request<IConnector>('connectors', {
      method: 'POST',
      body: JSON.stringify(input)
    });
    this._upsert(connector);
    this._selectedId = connector.id;
    this._changed.emit();
    return connector;
  }

  /**
   * Update a connector; an empty secret keeps the stored one.
   */
  async update(
    id: string,
    input: Partial<IConnectorInput>
  ): Promise<IConnector> {
    const body: Partial<IConnectorInput> = { ...input };
    if (!body.secret_access_key) {
      delete body.secret_access_key;
    }
    const connector = await this._request<IConnector>(
      `connectors/${encodeURIComponent(id)}`,
      { method: 'PATCH', body: JSON.stringify(body) }
    );
    this._upsert(connector);
    this._changed.emit();
    return connector;
  }

  async remove(id: string): Promise<void> {
    await this._request<void>(`connectors/${encodeURIComponent(id)}`, {
      method: 'DELETE'
    });
    this._connectors = this._connectors.filter(c => c.id !== id);
    if (this._selectedId === id) {
      this._selectedId = null;
    }
    this._changed.emit();
  }

  async activate(id: string): Promise<IConnector> {
    return this._setActive(id, true);
  }

  /**
   * Deactivate a connector, once every deactivation guard agrees.
   *
   * A mounted connector whose mount is busy (a process holds a file open in
   * it) rejects with a `ConnectorsAPIError` of code `mount.busy`; `force`
   * unmounts anyway (a lazy unmount).
   *
   * @returns the connector, or null when a guard kept it active.
   */
  async deactivate(
    id: string,
    options: IConnectorsModel.IDeactivateOptions = {}
  ): Promise<IConnector | null> {
    const connector = this.find(id);
    if (connector?.active && !options.skipGuards) {
      for (const guard of [...this._guards]) {
        if (!(await guard(connector))) {
          return null;
        }
      }
    }
    return this._setActive(id, false, !!options.force);
  }

  /** Mount an active mount-backend connector again (after a loss or failure). */
  async remount(id: string): Promise<IConnector> {
    try {
      const connector = await this._request<IConnector>(
        `connectors/${encodeURIComponent(id)}/remount`,
        { method: 'POST' }
      );
      this._upsert(connector);
      this._changed.emit();
      return connector;
    } catch (error) {
      await this._reloadAfterMountError(id, error);
      throw error;
    }
  }

  /** Ask the server to reach the bucket with the stored credentials. */
  async test(id: string): Promise<ITestResult> {
    this._testing.add(id);
    this._changed.emit();
    try {
      const result = await this._request<ITestResult>(
        `connectors/${encodeURIComponent(id)}/test`,
        { method: 'POST' }
      );
      this._testResults.set(id, result);
      return result;
    } finally {
      this._testing.delete(id);
      this._changed.emit();
    }
  }

  /** Whether a connection test of this connector is running. */
  isTesting(id: string): boolean {
    return this._testing.has(id);
  }

  /** The last connection test of a connector in this session, if any. */
  lastTest(id: string): ITestResult | undefined {
    return this._testResults.get(id);
  }

  /** The key of an active `direct` connector (the server refuses others). */
  credentials(id: string): Promise<IConnectorsModel.ICredentials> {
    return this._request<IConnectorsModel.ICredentials>(
      `connectors/${encodeURIComponent(id)}/credentials`
    );
  }

  /** A presigned GET of an object, made on the server. */
  presign(
    id: string,
    key: string,
    expiresIn: number
  ): Promise<IConnectorsModel.IPresignedLink> {
    return this._request<IConnectorsModel.IPresignedLink>(
      `connectors/${encodeURIComponent(id)}/presign`,
      {
        method: 'POST',
        body: JSON.stringify({ key, expires_in: expiresIn })
      }
    );
  }

  /** The buckets a key can see, asked by the server. */
  listBuckets(
    request: IConnectorsModel.IBucketListRequest
  ): Promise<IConnectorsModel.IBucketList> {
    return this._request<IConnectorsModel.IBucketList>('buckets', {
      method: 'POST',
      body: JSON.stringify(request)
    });
  }

  /** Whether the connector's S3 server checks write conditions, once known. */
  writeChecks(id: string): IConnectorsModel.WriteChecks | undefined {
    return this._writeChecks.get(id);
  }

  /** Record what a connector's drive found out about its server. */
  setWriteChecks(id: string, checks: IConnectorsModel.WriteChecks): void {
    if (this._writeChecks.get(id) !== checks) {
      this._writeChecks.set(id, checks);
      this._changed.emit();
    }
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    if (this._mountPoll !== null) {
      clearTimeout(this._mountPoll);
      this._mountPoll = null;
    }
    Signal.clearData(this);
  }

  private async _setActive(
    id: string,
    active: boolean,
    force = false
  ): Promise<IConnector> {
    const action = active ? 'activate' : 'deactivate';
    const query = force ? '?force=true' : '';
    const before = this.find(id);
    if (active && before?.mount && !before.active) {
      // Mounting takes a moment (the tool starts, lists the bucket): say so.
      this._upsert({
        ...before,
        mount: { ...before.mount, state: 'mounting', error: null }
      });
      this._changed.emit();
    }
    let connector: IConnector;
    try {
      connector = await this._request<IConnector>(
        `connectors/${encodeURIComponent(id)}/${action}${query}`,
        { method: 'POST' }
      );
    } catch (error) {
      await this._reloadAfterMountError(id, error);
      throw error;
    }
    this._upsert(connector);
    this._changed.emit();
    return connector;
  }

  /**
   * A failed mount leaves its state (and the tool's message) on the server:
   * load the connector again so the panel shows it.
   */
  private async _reloadAfterMountError(
    id: string,
    error: unknown
  ): Promise<void> {
    if (!(error instanceof ConnectorsAPIError) || !error.code) {
      return;
    }
    if (!error.code.startsWith('mount')) {
      return;
    }
    try {
      const connector = await this._request<IConnector>(
        `connectors/${encodeURIComponent(id)}`
      );
      this._upsert(connector);
      this._changed.emit();
    } catch (reason) {
      console.warn('The connector could not be loaded again:', reason);
    }
  }

  /**
   * While a mounted connector is active, load the list again now and then, so
   * a mount whose tool died shows as lost.
   */
  private _scheduleMountPoll(): void {
    if (this._mountPoll !== null) {
      clearTimeout(this._mountPoll);
      this._mountPoll = null;
    }
    const watched = this._connectors.some(c => c.active && c.mount);
    if (!watched || this._isDisposed || !this._mountPollInterval) {
      return;
    }
    this._mountPoll = setTimeout(() => {
      this._mountPoll = null;
      this.refresh().catch(reason =>
        console.warn('S3 connectors could not be loaded:', reason)
      );
    }, this._mountPollInterval);
  }

  private async _reloadCatalogs(): Promise<void> {
    const reply = await this._request<{ catalogs: ICatalog[] }>('catalogs');
    this._catalogs = reply.catalogs;
    this._setConnectors(this._connectors.filter(c => !c.catalog));
    this._changed.emit();
  }

  /** Take the user's own connectors, and the published ones from the catalogs. */
  private _setConnectors(own: IConnector[]): void {
    const connectors = [
      ...own,
      ...this._catalogs.flatMap(catalog => catalog.connectors)
    ];
    const before = new Map(this._connectors.map(c => [c.id, c.active]));
    this._connectors = [...connectors].sort((a, b) =>
      a.name.localeCompare(b.name)
    );
    for (const id of [...this._testResults.keys()]) {
      if (!this.find(id)) {
        this._testResults.delete(id);
      }
    }
    for (const connector of this._connectors) {
      if ((before.get(connector.id) ?? false) !== connector.active) {
        this._activeChanged.emit({ connector, active: connector.active });
      }
    }
    for (const [id, wasActive] of before) {
      if (wasActive && !this._connectors.some(c => c.id === id)) {
        this._activeChanged.emit({ connector: null, id, active: false });
      }
    }
  }

  private _upsert(connector: IConnector): void {
    const previous = this._connectors.find(c => c.id === connector.id);
    if (connector.catalog) {
      this._catalogs = this._catalogs.map(catalog => ({
        ...catalog,
        connectors: catalog.connectors.map(c =>
          c.id === connector.id ? connector : c
        )
      }));
    }
    const others = this._connectors.filter(c => c.id !== connector.id);
    this._connectors = [...others, connector].sort((a, b) =>
      a.name.localeCompare(b.name)
    );
    if ((previous?.active ?? false) !== connector.active) {
      this._activeChanged.emit({ connector, active: connector.active });
    }
  }

  private _request: Requester;
  private _mountPoll: ReturnType<typeof setTimeout> | null = null;
  private _mountPollInterval: number;
  private _connectors: IConnector[] = [];
  private _catalogs: ICatalog[] = [];
  private _status: IConnectorsModel.Status = 'loading';
  private _error = '';
  private _info: IServerInfo | null = null;
  private _selectedId: string | null = null;
  private _testResults = new Map<string, ITestResult>();
  private _testing = new Set<string>();
  private _writeChecks = new Map<string, IConnectorsModel.WriteChecks>();
  private _guards = new Set<IConnectorsModel.DeactivationGuard>();
  private _ready = new PromiseDelegate<void>();
  private _isDisposed = false;
  private _changed = new Signal<this, void>(this);
  private _activeChanged = new Signal<this, IConnectorsModel.IActiveChange>(
    this
  );
}

/** The ID of the copy of connector `id` published in `catalog`. */
export function publishedId(catalog: string, id: string): string {
  return `${catalog}.${id}`;
}

export namespace ConnectorsModel {
  export interface IOptions {
    /** The function that calls the REST API (a seam for unit tests). */
    requester?: Requester;
    /** The Jupyter server's settings (the app's `serviceManager`'s). */
    serverSettings?: ServerConnection.ISettings;
    /**
     * Milliseconds between two loads of the list while a mounted connector is
     * active (0: never); default 10 s.
     */
    mountPollInterval?: number;
  }
}
