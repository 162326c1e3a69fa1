import { JupyterFrontEnd } from '@jupyterlab/application';
import {
  Clipboard,
  ICommandPalette,
  Notification,
  showErrorMessage
} from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';
import { FileBrowser, IFileBrowserFactory } from '@jupyterlab/filebrowser';
import { TranslationBundle } from '@jupyterlab/translation';
import { closeIcon } from '@jupyterlab/ui-components';

import { CommandIDs } from '../commands';
import { IConnector, isMountBackend } from '../connectors/types';
import type { IConnectorsModel } from '../tokens';
import { confirmPermanentDelete } from '../widgets/dialogs';
import { BROWSER_CLASS } from './names';
import { addCodeSnippetCommand, hideRefusedItems } from './contextMenu';
import { BucketManager } from './manager';
import { DEFAULT_MOUNT_ROOT } from './snippets';

/** The arguments schema of commands that take no argument. */
const NO_ARGS = { args: { type: 'object' as const, properties: {} } };

/** The items of a bucket browser's listing. */
const ITEM_SELECTOR = `.${BROWSER_CLASS} .jp-DirListing-item[data-isdir]`;

/**
 * The commands of the bucket browsers: open one, copy an item's S3 URI or a
 * presigned link, delete items; their context menu items, and the hiding of
 * JupyterLab's items that a bucket browser cannot honour.
 */
export function addBucketCommands(
  app: JupyterFrontEnd,
  options: addBucketCommands.IOptions
): void {
  const { commands } = app;
  const { model, manager, factory, trans } = options;

  /** The current bucket browser and its connector. */
  const current = ():
    { connector: IConnector; browser: FileBrowser } | undefined => {
    const browser = factory.tracker.currentWidget;
    const connector = browser && manager.connectorOf(browser);
    return browser && connector ? { connector, browser } : undefined;
  };

  /** The connector and selected item (or folder shown) of the current bucket browser. */
  const selection = () => {
    const shown = current();
    if (!shown) {
      return undefined;
    }
    const { browser } = shown;
    const item = browser.selectedItems().next();
    const selected = item && !item.done ? item.value : undefined;
    const path = selected?.path ?? browser.model.path;
    return {
      ...shown,
      isFolder: !selected || selected.type === 'directory',
      path: PathExt.removeSlash(
        browser.model.manager.services.contents.localPath(path)
      )
    };
  };

  const openMountInFileBrowser = async (connector: IConnector) => {
    const mount = connector.mount;
    if (!connector.active || mount?.state !== 'mounted') {
      return;
    }
    if (mount.path === null) {
      Notification.info(
        trans.__(
          'Connector "%1" is mounted at %2, outside the folder the file browser shows.',
          connector.name,
          mount.local_path
        ),
        { autoClose: 8000 }
      );
      return;
    }
    await commands.execute('filebrowser:go-to-path', {
      path: mount.path
    });
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
      if (isMountBackend(connector.backend)) {
        // A mounted bucket is a folder of the server: the main file browser shows it.
        await openMountInFileBrowser(model.find(connector.id) ?? connector);
        return;
      }
      const browser = await manager.whenMounted(connector.id);
      if (browser) {
        app.shell.activateById(browser.id);
      }
    }
  });

  commands.addCommand(CommandIDs.copyS3Uri, {
    label: trans.__('Copy S3 URI'),
    caption: trans.__('Copy the s3://bucket/key address of the item'),
    describedBy: NO_ARGS,
    isVisible: () => !!current(),
    execute: () => {
      const selected = selection();
      if (!selected) {
        return;
      }
      const { connector, path, isFolder } = selected;
      const key = manager.keyOf(connector.id, path, isFolder);
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
    describedBy: NO_ARGS,
    isVisible: () => {
      const selected = selection();
      return !!selected && !selected.isFolder;
    },
    execute: async () => {
      const selected = selection();
      if (!selected) {
        return;
      }
      const { connector, path } = selected;
      try {
        const key = manager.keyOf(connector.id, path);
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
    describedBy: NO_ARGS,
    // A read-only browser does not offer what its drive would refuse.
    isVisible: () => current()?.connector.mode === 'read-write',
    execute: () => {
      const shown = current();
      if (shown?.connector.mode === 'read-write') {
        return deleteSelected(shown.browser, trans);
      }
    }
  });

  // Where JupyterLab's "Delete"/"Move to Trash" item stands.
  app.contextMenu.addItem({
    command: CommandIDs.deleteItems,
    selector: ITEM_SELECTOR,
    rank: 6
  });
  app.contextMenu.addItem({
    command: CommandIDs.copyS3Uri,
    selector: ITEM_SELECTOR,
    rank: 14
  });
  app.contextMenu.addItem({
    command: CommandIDs.copyShareableLink,
    selector: `.${BROWSER_CLASS} .jp-DirListing-item[data-isdir="false"]`,
    rank: 14.1
  });
  hideRefusedItems(app);
  addCodeSnippetCommand(app, {
    factory,
    manager,
    model,
    trans,
    mountRoot: options.mountRoot ?? (() => DEFAULT_MOUNT_ROOT)
  });

  if (options.palette) {
    options.palette.addItem({
      command: CommandIDs.openBrowser,
      category: trans.__('S3 Connectors')
    });
  }
}

export namespace addBucketCommands {
  export interface IOptions {
    model: IConnectorsModel;
    manager: BucketManager;
    factory: IFileBrowserFactory;
    palette: ICommandPalette | null;
    trans: TranslationBundle;
    /** The lifetime of a presigned link, in seconds. */
    linkExpiry: () => number;
    /** The mount root as the main file browser shows it (`s3` by default). */
    mountRoot?: () => string;
  }
}

/**
 * Delete the selected items of a bucket browser, once the user confirms.
 * S3 has no trash: the dialog says the deletion is permanent, whatever the
 * server's `delete_to_trash` makes JupyterLab's own file browser say.
 */
async function deleteSelected(
  browser: FileBrowser,
  trans: TranslationBundle
): Promise<void> {
  const items = [...browser.selectedItems()];
  if (!items.length) {
    return;
  }
  if (
    !(await confirmPermanentDelete(
      items.map(item => item.name),
      trans
    ))
  ) {
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
