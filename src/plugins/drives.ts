import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { Clipboard, ICommandPalette, Notification } from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { FileBrowser, IFileBrowserFactory } from '@jupyterlab/filebrowser';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { closeIcon } from '@jupyterlab/ui-components';
import { CommandRegistry } from '@lumino/commands';
import { PromiseDelegate } from '@lumino/coreutils';

// The browsers are managed from activation on: drives of active connectors
// must exist before the layout is restored. The drive itself loads lazily.
/* eslint-disable jupyter/prefer-lazy-imports */
import { CommandIDs } from '../commands';
import { IConnector } from '../connectors/types';
import { IConnectorsModel } from '../tokens';
import { closeDocumentsOfDrive } from '../widgets/dirtyDocuments';
import { BucketBrowsers } from '../widgets/BucketBrowsers';
/* eslint-enable jupyter/prefer-lazy-imports */

const PLUGIN_ID = 'jupyterlab-s3-connectors:drives';

/** The command JupyterLab runs to open the path of the page's URL. */
const FILEBROWSER_OPEN_PATH = 'filebrowser:open-path';

/** How long a deactivation waits, at most, for that command. */
const STARTUP_OPEN_TIMEOUT = 15000;

/** JupyterLab's delete command of the file browsers. */
const FILEBROWSER_DELETE = 'filebrowser:delete';

/** The class of the bucket browsers (see `BucketBrowsers`). */
const BROWSER_CLASS = 'jp-S3Connectors-browser';

/**
 * Activating a connector registers its bucket as a drive and shows it in a
 * JupyterLab file browser; deactivating removes both.
 */
export const drivesPlugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description:
    'Shows the bucket of each active S3 connector in a file browser, through an S3 drive.',
  autoStart: true,
  requires: [IConnectorsModel, IFileBrowserFactory, IDocumentManager],
  optional: [
    ICommandPalette,
    ISettingRegistry,
    ITranslator,
    JupyterFrontEnd.ITreeResolver
  ],
  activate: async (
    app: JupyterFrontEnd,
    model: IConnectorsModel,
    factory: IFileBrowserFactory,
    docManager: IDocumentManager,
    palette: ICommandPalette | null,
    settingRegistry: ISettingRegistry | null,
    translator: ITranslator | null,
    treeResolver: JupyterFrontEnd.ITreeResolver | null
  ): Promise<void> => {
    const trans = (translator ?? nullTranslator).load(
      'jupyterlab_s3_connectors'
    );
    let linkExpiry = 3600;
    if (settingRegistry) {
      settingRegistry
        .load('jupyterlab-s3-connectors:connectors')
        .then(settings => {
          const update = () => {
            const value = settings.composite.shareableLinkExpiry;
            linkExpiry = typeof value === 'number' ? value : 3600;
          };
          update();
          settings.changed.connect(update);
        })
        .catch(reason => {
          console.error('Failed to load the S3 Connectors settings.', reason);
        });
    }

    const browsers = new BucketBrowsers({
      app,
      factory,
      docManager,
      translator: translator ?? nullTranslator,
      trans,
      credentials: id => model.credentials(id),
      onWriteChecks: (connector, checks) =>
        model.setWriteChecks(connector.id, checks)
    });

    model.activeChanged.connect((_, change) => {
      if (change.active && change.connector) {
        void browsers.mount(change.connector);
      } else {
        browsers.unmount(change.connector?.id ?? change.id ?? '');
      }
    });
    model.changed.connect(() => browsers.sync(model.connectors));
    const startupOpened = whenStartupOpened(app, treeResolver);
    model.addDeactivationGuard(async connector => {
      // Right after a page load, JupyterLab may still be opening documents of
      // the drive: the restored layout, and the path in the URL. Let it
      // finish, so that those documents are found and closed here rather than
      // opened on a drive whose browser is gone ("Cannot open").
      await Promise.all([app.restored, startupOpened]);
      return closeDocumentsOfDrive(
        app,
        docManager,
        BucketBrowsers.driveName(connector),
        {
          trans,
          title: trans.__('Deactivate "%1"', connector.name)
        }
      );
    });

    addBrowserCommands(app, model, browsers, factory, {
      trans,
      linkExpiry: () => linkExpiry
    });
    if (palette) {
      palette.addItem({
        command: CommandIDs.openBrowser,
        category: trans.__('S3 Connectors')
      });
    }

    // Drives of active connectors exist before the layout is restored, so that
    // documents opened from a bucket reopen after a reload.
    await model.ready;
    await Promise.all(
      model.connectors.filter(c => c.active).map(c => browsers.mount(c))
    );
  }
};

/**
 * Resolve once JupyterLab has opened the path of the page's URL
 * (`/lab/tree/<path>`), which it does after routing, possibly after the
 * layout is restored; at once when the URL names no path.
 */
function whenStartupOpened(
  app: JupyterFrontEnd,
  treeResolver: JupyterFrontEnd.ITreeResolver | null
): Promise<void> {
  if (!treeResolver) {
    return Promise.resolve();
  }
  const expected = new Set<string>();
  const pending: Promise<unknown>[] = [];
  const opened = new PromiseDelegate<void>();
  const onExecuted = (
    _: CommandRegistry,
    executed: CommandRegistry.ICommandExecutedArgs
  ) => {
    const path = executed.args.path;
    if (
      executed.id === FILEBROWSER_OPEN_PATH &&
      typeof path === 'string' &&
      expected.delete(path)
    ) {
      pending.push(executed.result.catch(() => undefined));
      if (!expected.size) {
        void Promise.all(pending).then(() => opened.resolve());
      }
    }
  };
  // Connected now, before the routing that runs the command.
  app.commands.commandExecuted.connect(onExecuted);
  void treeResolver.paths.then(paths => {
    for (const path of [paths?.file, paths?.browser]) {
      if (path) {
        expected.add(path);
      }
    }
    if (!expected.size) {
      opened.resolve();
    }
  });
  // Never wait for long on a command that may not run (a disabled plugin).
  const timeout = new Promise<void>(resolve =>
    setTimeout(resolve, STARTUP_OPEN_TIMEOUT)
  );
  return Promise.race([opened.promise, timeout]).then(() => {
    app.commands.commandExecuted.disconnect(onExecuted);
  });
}

/**
 * Commands on bucket browsers: open one, copy an item's S3 URI or a
 * shareable link.
 */
function addBrowserCommands(
  app: JupyterFrontEnd,
  model: IConnectorsModel,
  browsers: BucketBrowsers,
  factory: IFileBrowserFactory,
  options: { trans: ReturnType<ITranslator['load']>; linkExpiry: () => number }
): void {
  const { commands } = app;
  const { trans } = options;

  /** The connector and selected item of the current bucket browser. */
  const selection = ():
    | { connector: IConnector; browser: FileBrowser; path: string }
    | undefined => {
    const browser = factory.tracker.currentWidget;
    const connector = browser && browsers.connectorOf(browser);
    if (!browser || !connector) {
      return undefined;
    }
    const item = browser.selectedItems().next();
    const path = item && !item.done ? item.value.path : browser.model.path;
    return {
      connector,
      browser,
      path: PathExt.removeSlash(path.replace(/^[^:]*:/, ''))
    };
  };

  commands.addCommand(CommandIDs.openBrowser, {
    label: args =>
      args.id
        ? trans.__('Browse Files')
        : trans.__('Browse S3 Connector Files…'),
    caption: trans.__("Show the active connector's bucket in its file browser"),
    describedBy: {
      args: {
        type: 'object',
        properties: {
          id: {
            type: 'string',
            description: 'The ID or name of the connector.'
          }
        }
      }
    },
    execute: async args => {
      let connector =
        typeof args.id === 'string' ? model.find(args.id) : undefined;
      if (!connector) {
        const active = model.connectors.filter(c => c.active);
        connector = active.length === 1 ? active[0] : undefined;
      }
      if (!connector) {
        await commands.execute(CommandIDs.openPanel);
        return;
      }
      if (!connector.active) {
        await commands.execute(CommandIDs.activate, { id: connector.id });
      }
      const browser = await browsers.whenMounted(connector.id);
      if (browser) {
        app.shell.activateById(browser.id);
      }
    }
  });

  commands.addCommand(CommandIDs.copyS3Uri, {
    label: trans.__('Copy S3 URI'),
    caption: trans.__('Copy the s3://bucket/key address of the item'),
    describedBy: { args: { type: 'object', properties: {} } },
    isVisible: () => !!selection(),
    execute: () => {
      const current = selection();
      if (!current) {
        return;
      }
      const { connector, browser, path } = current;
      const item = browser.selectedItems().next();
      const isDir = !item.done && item.value.type === 'directory';
      const key = browsers.keyOf(connector.id, path, isDir);
      if (key === undefined) {
        return;
      }
      Clipboard.copyToSystem(`s3://${connector.bucket}/${key}`);
      Notification.info(trans.__('Copied s3://%1/%2', connector.bucket, key), {
        autoClose: 3000
      });
    }
  });

  commands.addCommand(CommandIDs.copyShareableLink, {
    label: trans.__('Copy Presigned Link'),
    caption: trans.__(
      'Copy a presigned link that downloads the object without signing in'
    ),
    describedBy: { args: { type: 'object', properties: {} } },
    isVisible: () => {
      const current = selection();
      const item = current?.browser.selectedItems().next();
      return (
        !!current && !!item && !item.done && item.value.type !== 'directory'
      );
    },
    execute: async () => {
      const current = selection();
      if (!current) {
        return;
      }
      const { connector, path } = current;
      try {
        const key = browsers.keyOf(connector.id, path);
        if (key === undefined) {
          return;
        }
        const reply = await model.presign(
          connector.id,
          key,
          options.linkExpiry()
        );
        Clipboard.copyToSystem(reply.url);
        Notification.info(
          trans.__(
            'Link copied; it works for %1 minutes.',
            Math.round(reply.expires_in / 60)
          ),
          { autoClose: 4000 }
        );
      } catch (error) {
        Notification.error(
          trans.__('The link could not be made: %1', (error as Error).message),
          { autoClose: false }
        );
      }
    }
  });

  commands.addCommand(CommandIDs.deleteItems, {
    label: trans.__('Delete'),
    caption: trans.__(
      'Delete the selected items from the bucket; S3 keeps no trash'
    ),
    icon: closeIcon.bindprops({ stylesheet: 'menuItem' }),
    describedBy: { args: { type: 'object', properties: {} } },
    isVisible: () => !!selection(),
    isEnabled: () => selection()?.connector.mode === 'read-write',
    execute: () => {
      const current = selection();
      if (current) {
        return browsers.deleteSelected(current.browser);
      }
    }
  });

  const selector = '.jp-S3Connectors-browser .jp-DirListing-item[data-isdir]';
  // Where JupyterLab's "Delete"/"Move to Trash" item stands.
  app.contextMenu.addItem({
    command: CommandIDs.deleteItems,
    selector,
    rank: 6
  });
  // JupyterLab's own delete item takes its wording from the server's trash
  // setting, which says nothing about S3: in a bucket browser, only ours shows.
  app.contextMenu.opened.connect(() => {
    const inBucket = app.contextMenuHitTest(node =>
      node.classList.contains(BROWSER_CLASS)
    );
    const menu = app.contextMenu.menu;
    const trashItems = menu.items.filter(
      item => item.command === FILEBROWSER_DELETE
    );
    if (!inBucket || !trashItems.length) {
      return;
    }
    // A Lumino menu closes when an item is removed from it: open it again
    // where it was, in the same task, so that nothing flickers.
    const { left, top } = menu.node.getBoundingClientRect();
    for (const item of trashItems) {
      menu.removeItem(item);
    }
    menu.open(left, top, { forceX: true, forceY: true });
  });
  app.contextMenu.addItem({
    command: CommandIDs.copyS3Uri,
    selector,
    rank: 14
  });
  app.contextMenu.addItem({
    command: CommandIDs.copyShareableLink,
    selector:
      '.jp-S3Connectors-browser .jp-DirListing-item[data-isdir="false"]',
    rank: 14.1
  });
}
