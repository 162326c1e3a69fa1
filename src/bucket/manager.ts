import { JupyterFrontEnd } from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';
import { FileBrowser, IFileBrowserFactory } from '@jupyterlab/filebrowser';
import { Contents } from '@jupyterlab/services';
import { ITranslator, TranslationBundle } from '@jupyterlab/translation';

import { CommandIDs } from '../commands';
import { IConnector, isMountBackend } from '../connectors/types';
import type { IConnectorsModel } from '../tokens';
// Type-only: the drive and the AWS SDK load on first activation.
import type { S3Drive } from '../drive';
import { createBucketBrowser } from './browser';
import { streamUploads } from './fileUploads';
import { driveNameOf } from './names';
import { ProgressNotifier } from './progress';

/** What is shown for one active connector. */
interface IMounted {
  connector: IConnector;
  drive: S3Drive;
  browser: FileBrowser;
}

/**
 * Mounts the bucket of each active connector: its drive, registered under a
 * name derived from the connector's ID, and its file browser in the left
 * sidebar. Follows activations, deactivations and edits of the connectors
 * model, which makes every server call.
 *
 * An unmounted drive stays registered with JupyterLab (which cannot remove a
 * drive), disposed: it refuses every call, so nothing reaches the bucket of
 * a deactivated connector. Mounting the connector again registers a new drive
 * under the same name, which replaces it.
 */
export class BucketManager {
  constructor(options: BucketManager.IOptions) {
    this._app = options.app;
    this._model = options.model;
    this._factory = options.factory;
    this._translator = options.translator;
    this._trans = options.trans;
    this._refreshInterval = options.refreshInterval;
    this._progress = new ProgressNotifier(options.trans);
    this._model.activeChanged.connect(this._onActiveChanged, this);
    this._model.changed.connect(this._onModelChanged, this);
  }

  /** The connector shown by a file browser, if it is one of ours. */
  connectorOf(browser: FileBrowser): IConnector | undefined {
    for (const mounted of this._mounted.values()) {
      if (mounted.browser === browser) {
        return mounted.connector;
      }
    }
    return undefined;
  }

  /**
   * The S3 key of a path of a connector's bucket browser, or undefined when
   * the connector is not mounted.
   */
  keyOf(id: string, path: string, isFolder = false): string | undefined {
    return this._mounted.get(id)?.drive.keyOf(path, isFolder);
  }

  /** The browser of a connector once it is mounted (null when that failed). */
  async whenMounted(id: string): Promise<FileBrowser | null> {
    await this._pending.get(id);
    return this._mounted.get(id)?.browser ?? null;
  }

  /** Mount every active connector (at start-up, before the layout is restored). */
  async mountActive(): Promise<void> {
    await this._model.ready;
    await Promise.all(
      this._model.connectors.filter(c => c.active).map(c => this.mount(c))
    );
  }

  /**
   * Register the connector's drive and show its file browser.
   */
  mount(connector: IConnector): Promise<FileBrowser | null> {
    if (isMountBackend(connector.backend)) {
      // Mounted on the server: the main file browser shows it, no drive here.
      return Promise.resolve(null);
    }
    this._unmountWhenMounted.delete(connector.id);
    const pending = this._pending.get(connector.id);
    if (pending) {
      return pending;
    }
    const mounted = this._mounted.get(connector.id);
    if (mounted) {
      return Promise.resolve(mounted.browser);
    }
    return this._track(connector.id, this._mount(connector));
  }

  /** Remove the connector's file browser and refuse its drive's calls. */
  unmount(id: string): void {
    if (this._pending.has(id)) {
      // Deactivated while being mounted: remove it once it is there.
      this._unmountWhenMounted.add(id);
      return;
    }
    const mounted = this._mounted.get(id);
    if (mounted) {
      this._mounted.delete(id);
      Private.dispose(mounted);
    }
  }

  /**
   * Show the bucket browsers again with a new refresh interval (JupyterLab's
   * file browser model takes it only when it is made). The drives stay.
   */
  setRefreshInterval(interval: number): void {
    if (interval === this._refreshInterval) {
      return;
    }
    this._refreshInterval = interval;
    for (const mounted of this._mounted.values()) {
      const current = !mounted.browser.isHidden;
      mounted.browser.dispose();
      mounted.browser = this._showBrowser(mounted.connector, mounted.drive);
      if (current) {
        this._app.shell.activateById(mounted.browser.id);
      }
    }
  }

  /**
   * Follow edits of active connectors: a changed connector is mounted again
   * with its new settings under the same drive name, so the documents open
   * from its bucket stay usable, even after a rename.
   */
  private _onModelChanged(): void {
    const connectors = this._model.connectors;
    for (const [id, mounted] of [...this._mounted]) {
      const current = connectors.find(c => c.id === id);
      if (!current || !current.active || isMountBackend(current.backend)) {
        this.unmount(id);
      } else if (current.updated_at !== mounted.connector.updated_at) {
        this._mounted.delete(id);
        void this._track(id, this._mount(current, mounted));
      }
    }
  }

  private _onActiveChanged(
    _: IConnectorsModel,
    change: IConnectorsModel.IActiveChange
  ): void {
    if (change.active && change.connector) {
      void this.mount(change.connector);
    } else {
      this.unmount(change.connector?.id ?? change.id ?? '');
    }
  }

  private _track(
    id: string,
    work: Promise<FileBrowser | null>
  ): Promise<FileBrowser | null> {
    const promise = work.finally(() => {
      this._pending.delete(id);
      if (this._unmountWhenMounted.delete(id)) {
        this.unmount(id);
      }
    });
    this._pending.set(id, promise);
    return promise;
  }

  /**
   * Make the drive, then register it and show the browser. A previous mount
   * of the same connector (before an edit) keeps working until the new drive
   * replaces it.
   */
  private async _mount(
    connector: IConnector,
    previous?: IMounted
  ): Promise<FileBrowser | null> {
    let drive: S3Drive;
    try {
      drive = await this._createDrive(connector);
    } catch (error) {
      if (previous) {
        Private.dispose(previous);
      }
      this._reportFailure(connector, error);
      return null;
    }
    const wasCurrent = previous ? !previous.browser.isHidden : false;
    if (previous) {
      Private.dispose(previous);
    }
    // Replaces the drive registered under the same name, if any.
    this._app.serviceManager.contents.addDrive(drive);
    drive.progress.connect((_, progress) =>
      this._progress.show(connector.id, progress)
    );
    drive.conditionalWritesChanged.connect((_, support) => {
      if (support !== 'unknown') {
        this._model.setWriteChecks(connector.id, support);
      }
    });
    drive.fileChanged.connect(this._onFileChanged, this);
    const browser = this._showBrowser(connector, drive);
    this._mounted.set(connector.id, { connector, drive, browser });
    if (wasCurrent) {
      this._app.shell.activateById(browser.id);
    }
    return browser;
  }

  private async _createDrive(connector: IConnector): Promise<S3Drive> {
    const { createS3Drive } = await import('./createDrive');
    const credentials =
      connector.backend === 'direct'
        ? await this._model.credentials(connector.id)
        : undefined;
    return createS3Drive({
      connector,
      secretAccessKey: credentials?.secret_access_key,
      name: driveNameOf(connector.id),
      serverSettings: this._app.serviceManager.serverSettings,
      docRegistry: this._app.docRegistry,
      trans: this._trans
    });
  }

  private _showBrowser(connector: IConnector, drive: S3Drive): FileBrowser {
    const browser = createBucketBrowser({
      connector,
      driveName: drive.name,
      refreshInterval: this._refreshInterval,
      factory: this._factory,
      commands: this._app.commands,
      translator: this._translator,
      trans: this._trans
    });
    if (!drive.readOnly) {
      streamUploads({
        model: browser.model,
        drive,
        trans: this._trans,
        translator: this._translator
      });
    }
    this._app.shell.add(browser, 'left', { rank: 410, type: 'S3 Bucket' });
    return browser;
  }

  private _reportFailure(connector: IConnector, error: unknown): void {
    const trans = this._trans;
    Notification.error(
      trans.__(
        'The bucket of connector "%1" could not be shown: %2',
        connector.name,
        (error as Error).message
      ),
      {
        autoClose: false,
        actions: [
          {
            label: trans.__('Edit connector'),
            callback: () =>
              void this._app.commands.execute(CommandIDs.edit, {
                id: connector.id
              })
          }
        ]
      }
    );
  }

  /**
   * Refresh a bucket browser at once when a change touches the folder it
   * shows.
   *
   * JupyterLab's file browser model does not do it below the root of a drive
   * other than the default one: it compares the global path of the change's
   * parent (`drive:folder`) with its own after prefixing the drive name once
   * more, so a change in a subfolder would only show at the next poll. The
   * drive's own signal carries local paths, compared here with the local path
   * of the folder shown.
   */
  private _onFileChanged(drive: S3Drive, change: Contents.IChangedArgs): void {
    const mounted = [...this._mounted.values()].find(m => m.drive === drive);
    if (!mounted) {
      return;
    }
    const model = mounted.browser.model;
    const shown = model.manager.services.contents.localPath(model.path);
    const oldPath = change.oldValue?.path ?? null;
    const newPath = change.newValue?.path ?? null;
    if (oldPath && Private.isWithin(shown, oldPath)) {
      // The folder shown, or one above it, was renamed or deleted: follow the
      // rename, or go up to the folder that is left.
      const target =
        change.type === 'rename' && newPath !== null
          ? newPath + shown.slice(oldPath.length)
          : PathExt.dirname(oldPath);
      void model.cd(`/${target}`);
      return;
    }
    if (
      [oldPath, newPath].some(
        path => path !== null && PathExt.dirname(path) === shown
      )
    ) {
      void model.refresh();
    }
  }

  private _app: JupyterFrontEnd;
  private _model: IConnectorsModel;
  private _factory: IFileBrowserFactory;
  private _translator: ITranslator;
  private _trans: TranslationBundle;
  private _refreshInterval: number;
  private _progress: ProgressNotifier;
  private _mounted = new Map<string, IMounted>();
  private _pending = new Map<string, Promise<FileBrowser | null>>();
  private _unmountWhenMounted = new Set<string>();
}

export namespace BucketManager {
  export interface IOptions {
    app: JupyterFrontEnd;
    /** The connectors model: the source of the connectors, and of every server call. */
    model: IConnectorsModel;
    factory: IFileBrowserFactory;
    translator: ITranslator;
    trans: TranslationBundle;
    /** How often the listings are refreshed, in milliseconds. */
    refreshInterval: number;
  }
}

namespace Private {
  /** Whether a local path is `folder` itself or lies below it. */
  export function isWithin(path: string, folder: string): boolean {
    return path === folder || path.startsWith(`${folder}/`);
  }

  /**
   * Remove a mounted connector's browser, and dispose its drive: it stays
   * registered, refusing every call, until a new drive replaces it.
   */
  export function dispose(mounted: IMounted): void {
    mounted.browser.dispose();
    mounted.drive.dispose();
  }
}
