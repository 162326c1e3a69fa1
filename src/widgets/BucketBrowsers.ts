import { JupyterFrontEnd } from '@jupyterlab/application';
import { Notification, showErrorMessage } from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import {
  FileBrowser,
  IFileBrowserFactory,
  Uploader
} from '@jupyterlab/filebrowser';
import { Contents } from '@jupyterlab/services';
import { ITranslator, TranslationBundle } from '@jupyterlab/translation';
import {
  filterIcon,
  newFolderIcon,
  notebookIcon,
  refreshIcon,
  textEditorIcon,
  ToolbarButton
} from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';

import { CommandIDs } from '../commands';
import { IConnector } from '../connectors/types';
import type { IConnectorsModel } from '../tokens';
import { bucketFilesIcon } from '../icons';
import { confirmPermanentDelete } from './dialogs';
// Type-only: the drive and the AWS SDK load on first activation.
import type { S3Drive } from '../drive';

/** What is shown for one active connector. */
interface IMounted {
  connector: IConnector;
  drive: S3Drive;
  browser: FileBrowser;
}

/**
 * The drives and file browsers of the active connectors.
 */
export class BucketBrowsers {
  constructor(options: BucketBrowsers.IOptions) {
    this._app = options.app;
    this._factory = options.factory;
    this._translator = options.translator;
    this._trans = options.trans;
    this._onWriteChecks = options.onWriteChecks;
    this._credentials = options.credentials;
  }

  /** The drive name of a connector: its paths look like `name:folder/file`. */
  static driveName(connector: IConnector): string {
    return connector.name;
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

  /**
   * Register the connector's drive and show its file browser.
   */
  mount(connector: IConnector): Promise<FileBrowser | null> {
    this._unmountWhenMounted.delete(connector.id);
    const pending = this._pending.get(connector.id);
    if (pending) {
      return pending;
    }
    const mounted = this._mounted.get(connector.id);
    if (mounted) {
      return Promise.resolve(mounted.browser);
    }
    const promise = this._mount(connector).finally(() => {
      this._pending.delete(connector.id);
      if (this._unmountWhenMounted.delete(connector.id)) {
        this.unmount(connector.id);
      }
    });
    this._pending.set(connector.id, promise);
    return promise;
  }

  /** Remove the connector's file browser and drive. */
  unmount(id: string): void {
    if (this._pending.has(id)) {
      // Deactivated while being mounted: remove it once it is there.
      this._unmountWhenMounted.add(id);
      return;
    }
    const mounted = this._mounted.get(id);
    if (!mounted) {
      return;
    }
    this._mounted.delete(id);
    mounted.drive.fileChanged.disconnect(this._onFileChanged, this);
    mounted.browser.dispose();
    mounted.drive.dispose();
  }

  /**
   * Delete the selected items of a bucket browser, once the user confirms.
   * S3 has no trash: the dialog says the deletion is permanent, whatever the
   * server's `delete_to_trash` makes JupyterLab's own file browser say.
   */
  async deleteSelected(browser: FileBrowser): Promise<void> {
    const trans = this._trans;
    const items = [...browser.selectedItems()];
    if (!items.length) {
      return;
    }
    const names = items.map(item => item.name);
    if (!(await confirmPermanentDelete(names, trans))) {
      return;
    }
    const manager = browser.model.manager;
    await Promise.all(
      items.map(item =>
        manager.deleteFile(item.path).catch(error => {
          void showErrorMessage(trans.__('Delete Failed'), error);
        })
      )
    );
  }

  /**
   * Follow edits of active connectors: a changed connector is shown again
   * with its new settings, under the same drive name.
   */
  sync(connectors: ReadonlyArray<IConnector>): void {
    for (const [id, mounted] of [...this._mounted]) {
      const current = connectors.find(c => c.id === id);
      if (!current || !current.active) {
        this.unmount(id);
      } else if (current.updated_at !== mounted.connector.updated_at) {
        this.unmount(id);
        void this.mount(current);
      }
    }
  }

  private async _mount(connector: IConnector): Promise<FileBrowser | null> {
    const trans = this._trans;
    try {
      const { createS3Drive } = await import('../bucket/createDrive');
      const credentials =
        connector.backend === 'direct'
          ? await this._credentials(connector.id)
          : undefined;
      const drive = createS3Drive({
        connector,
        secretAccessKey: credentials?.secret_access_key,
        name: BucketBrowsers.driveName(connector),
        serverSettings: this._app.serviceManager.serverSettings,
        docRegistry: this._app.docRegistry,
        trans
      });
      this._app.serviceManager.contents.addDrive(drive);
      drive.progress.connect((_, progress) =>
        this._showProgress(connector, progress)
      );
      drive.conditionalWritesChanged.connect((_, support) => {
        if (support !== 'unknown') {
          this._onWriteChecks?.(connector, support);
        }
      });
      const browser = this._createBrowser(connector, drive);
      this._mounted.set(connector.id, { connector, drive, browser });
      drive.fileChanged.connect(this._onFileChanged, this);
      return browser;
    } catch (error) {
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
      return null;
    }
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

  /**
   * Show a folder operation in a notification, updated as it goes and turned
   * into a success or an error at the end. Short operations stay silent.
   */
  private _showProgress(
    connector: IConnector,
    progress: S3Drive.IProgress
  ): void {
    const trans = this._trans;
    const key = `${connector.id}\n${progress.operation}\n${progress.path}`;
    const name = progress.path || '/';
    const labels = {
      delete: trans.__('Deleting "%1"', name),
      rename: trans.__('Renaming "%1" to "%2"', name, progress.newPath ?? ''),
      copy: trans.__('Copying "%1"', name)
    };
    const label = labels[progress.operation];
    let id = this._notifications.get(key);
    if (progress.error !== undefined) {
      this._notifications.delete(key);
      const message = trans.__('%1 failed: %2', label, progress.error);
      if (id) {
        Notification.update({ id, message, type: 'error', autoClose: false });
      }
      return;
    }
    const total = Math.max(progress.total, 1);
    const message = trans.__(
      '%1: %2 of %3 objects',
      label,
      progress.done,
      progress.total
    );
    if (!id) {
      if (progress.done !== 0 || progress.total < PROGRESS_THRESHOLD) {
        return;
      }
      id = Notification.emit(message, 'in-progress', {
        autoClose: false,
        progress: 0
      });
      this._notifications.set(key, id);
      return;
    }
    if (progress.done >= progress.total) {
      this._notifications.delete(key);
      Notification.update({
        id,
        message: trans.__('%1: done (%2 objects)', label, progress.total),
        type: 'success',
        progress: 1,
        autoClose: 4000
      });
    } else {
      Notification.update({
        id,
        message,
        type: 'in-progress',
        progress: progress.done / total
      });
    }
  }

  private _createBrowser(connector: IConnector, drive: S3Drive): FileBrowser {
    const trans = this._trans;
    const readOnly = connector.mode === 'read-only';
    const browser = this._factory.createFileBrowser(
      `jp-S3Connectors-browser-${connector.name}`,
      {
        driveName: drive.name,
        refreshInterval: 30000,
        restore: true
      }
    );
    browser.addClass('jp-S3Connectors-browser');
    browser.node.dataset.connectorName = connector.name;
    browser.title.icon = bucketFilesIcon;
    browser.title.caption = readOnly
      ? trans.__(
          'S3: %1 (bucket %2, read-only)',
          connector.name,
          connector.bucket
        )
      : trans.__('S3: %1 (bucket %2)', connector.name, connector.bucket);

    const header = new Widget();
    header.addClass('jp-S3Connectors-browserHeader');
    const title = document.createElement('span');
    title.className = 'jp-S3Connectors-browserTitle';
    title.textContent = `${connector.name} · ${connector.bucket}${
      connector.prefix ? `/${connector.prefix}` : ''
    }`;
    title.title = `s3://${connector.bucket}/${connector.prefix} · ${connector.endpoint}`;
    header.node.appendChild(title);
    if (readOnly) {
      const badge = document.createElement('span');
      badge.className = 'jp-S3Connectors-badge jp-S3Connectors-badge-read-only';
      badge.textContent = trans.__('read-only');
      header.node.appendChild(badge);
    }
    browser.header.addWidget(header);

    const commands = this._app.commands;
    if (!readOnly) {
      browser.toolbar.addItem(
        'new-folder',
        new ToolbarButton({
          icon: newFolderIcon,
          tooltip: trans.__('New Folder'),
          onClick: () => void browser.createNewDirectory()
        })
      );
      browser.toolbar.addItem(
        'new-notebook',
        new ToolbarButton({
          icon: notebookIcon,
          tooltip: trans.__('New Notebook'),
          onClick: () =>
            void commands.execute('notebook:create-new', {
              cwd: browser.model.path
            })
        })
      );
      browser.toolbar.addItem(
        'new-file',
        new ToolbarButton({
          icon: textEditorIcon,
          tooltip: trans.__('New Text File'),
          onClick: () => void browser.createNewFile({ ext: '.txt' })
        })
      );
      browser.toolbar.addItem(
        'upload',
        new Uploader({ model: browser.model, translator: this._translator })
      );
    }
    browser.toolbar.addItem(
      'refresh',
      new ToolbarButton({
        icon: refreshIcon,
        tooltip: trans.__('Refresh the bucket listing'),
        onClick: () => void browser.model.refresh()
      })
    );
    browser.toolbar.addItem(
      'filter',
      new ToolbarButton({
        icon: filterIcon,
        tooltip: trans.__('Filter the file names'),
        onClick: () => {
          browser.showFileFilter = !browser.showFileFilter;
        }
      })
    );

    this._app.shell.add(browser, 'left', { rank: 410, type: 'S3 Bucket' });
    return browser;
  }

  private _app: JupyterFrontEnd;
  private _factory: IFileBrowserFactory;
  private _translator: ITranslator;
  private _trans: TranslationBundle;
  private _mounted = new Map<string, IMounted>();
  private _pending = new Map<string, Promise<FileBrowser | null>>();
  private _unmountWhenMounted = new Set<string>();
  private _notifications = new Map<string, string>();
  private readonly _onWriteChecks?: BucketBrowsers.IOptions['onWriteChecks'];
  private readonly _credentials: BucketBrowsers.IOptions['credentials'];
}

/** Folder operations on fewer objects finish too fast to need a notification. */
const PROGRESS_THRESHOLD = 20;

export namespace BucketBrowsers {
  export interface IOptions {
    app: JupyterFrontEnd;
    factory: IFileBrowserFactory;
    docManager: IDocumentManager;
    translator: ITranslator;
    trans: TranslationBundle;
    /** The key of an active `direct` connector, from the server. */
    credentials: (id: string) => Promise<ICredentials>;
    /**
     * Called when a drive finds out whether its S3 server checks the
     * conditions of writes.
     */
    onWriteChecks?: (
      connector: IConnector,
      checks: 'honoured' | 'ignored'
    ) => void;
  }

  /** The key of a `direct` connector, given to the browser by the server. */
  export type ICredentials = IConnectorsModel.ICredentials;
}

namespace Private {
  /** Whether a local path is `folder` itself or lies below it. */
  export function isWithin(path: string, folder: string): boolean {
    return path === folder || path.startsWith(`${folder}/`);
  }
}
