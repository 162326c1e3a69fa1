import { JupyterFrontEnd } from '@jupyterlab/application';
import { Clipboard, Notification } from '@jupyterlab/apputils';
import { IFileBrowserFactory } from '@jupyterlab/filebrowser';
import { TranslationBundle } from '@jupyterlab/translation';

import { CommandIDs } from '../commands';
import type { IConnectorsModel } from '../tokens';
import type { BucketManager } from './manager';
import { BROWSER_CLASS, DIRECT_CLASS, READ_ONLY_CLASS } from './names';
import {
  bucketTarget,
  codeSnippet,
  ISnippetTarget,
  mountedTarget
} from './snippets';

/**
 * JupyterLab's context menu items that no bucket browser honours:
 * - its delete item takes its wording from the server's trash setting, which
 *   says nothing about S3 (ours says the deletion is permanent);
 * - "Copy Shareable Link" makes a `/lab/tree/s3-<id>:…` link that only this
 *   JupyterLab, with this connector active, can open ("Copy Presigned Link"
 *   is the one to share);
 * - "Open in Terminal" opens a folder of the server's disk, not of a bucket.
 */
export const NOT_IN_BUCKETS = new Set([
  'filebrowser:delete',
  'filebrowser:share-main',
  'terminal:open-folder-in-terminal'
]);

/**
 * The items a read-only bucket browser does not offer: its drive would refuse
 * them (rename, cut, paste, duplicate, and every "New …").
 */
export const NOT_IN_READ_ONLY = new Set([
  'filebrowser:rename',
  'filebrowser:cut',
  'filebrowser:paste',
  'filebrowser:duplicate',
  'filebrowser:create-new-directory',
  'filebrowser:create-new-file',
  'filebrowser:create-new-markdown-file',
  'notebook:create-new'
]);

/**
 * The items a bucket browser of a `direct` connector does not offer: its
 * download links are presigned as attachments, so "Open in New Browser Tab"
 * would download the file instead of opening it.
 */
export const NOT_IN_DIRECT = new Set(['filebrowser:open-browser-tab']);

/** What a bucket browser is, for the items of its context menu. */
export interface IBrowserKind {
  readOnly: boolean;
  direct: boolean;
}

/** Whether a command of the context menu is hidden in a bucket browser. */
export function isRefused(command: string, kind: IBrowserKind): boolean {
  return (
    NOT_IN_BUCKETS.has(command) ||
    (kind.direct && NOT_IN_DIRECT.has(command)) ||
    (kind.readOnly &&
      (NOT_IN_READ_ONLY.has(command) || /:create-new(-|$)/.test(command)))
  );
}

/**
 * Remove from the context menu, when it opens on a bucket browser, the items
 * of JupyterLab (and other extensions) that the browser cannot honour.
 *
 * Their commands belong to JupyterLab and know nothing of drives, so their
 * visibility cannot be tied to the browser; the menu is rebuilt at each
 * opening, so removing them affects this opening only.
 */
export function hideRefusedItems(app: JupyterFrontEnd): void {
  app.contextMenu.opened.connect(() => {
    const kind: IBrowserKind = { readOnly: false, direct: false };
    const inBucket = app.contextMenuHitTest(node => {
      if (node.classList.contains(BROWSER_CLASS)) {
        kind.readOnly = node.classList.contains(READ_ONLY_CLASS);
        kind.direct = node.classList.contains(DIRECT_CLASS);
        return true;
      }
      return false;
    });
    if (!inBucket) {
      return;
    }
    const menu = app.contextMenu.menu;
    const refused = menu.items.filter(
      item => item.type === 'command' && isRefused(item.command, kind)
    );
    if (!refused.length) {
      return;
    }
    // A Lumino menu closes when an item is removed from it: open it again
    // where it was, in the same task, so that nothing flickers.
    const { left, top } = menu.node.getBoundingClientRect();
    for (const item of refused) {
      menu.removeItem(item);
    }
    menu.open(left, top, { forceX: true, forceY: true });
  });
}

/**
 * "Copy Code Snippet" on a file of a bucket browser, or of a mounted bucket
 * in the main file browser: the Python code that reads it from a notebook
 * (see `snippets.ts`), copied to the clipboard.
 */
export function addCodeSnippetCommand(
  app: JupyterFrontEnd,
  options: addCodeSnippetCommand.IOptions
): void {
  const { factory, manager, model, trans } = options;

  /** The snippet's target: the selected file of the current browser. */
  const target = (): ISnippetTarget | undefined => {
    const browser = factory.tracker.currentWidget;
    const item = browser?.selectedItems().next();
    if (!browser || !item || item.done || item.value.type === 'directory') {
      return undefined;
    }
    const connector = manager.connectorOf(browser);
    if (!connector) {
      return mountedTarget(
        item.value.path,
        model.connectors,
        options.mountRoot()
      );
    }
    const path = browser.model.manager.services.contents.localPath(
      item.value.path
    );
    const key = manager.keyOf(connector.id, path);
    return key === undefined ? undefined : bucketTarget(connector, key);
  };

  app.commands.addCommand(CommandIDs.copyCodeSnippet, {
    label: trans.__('Copy Code Snippet'),
    caption: trans.__(
      'Copy the Python code that reads the file from a notebook, without a key in it'
    ),
    describedBy: { args: { type: 'object', properties: {} } },
    isVisible: () => !!target(),
    execute: () => {
      const found = target();
      if (!found) {
        return;
      }
      Clipboard.copyToSystem(codeSnippet(found));
      Notification.info(
        trans.__('Code copied: paste it into a notebook cell.'),
        { autoClose: 3000 }
      );
    }
  });

  app.contextMenu.addItem({
    command: CommandIDs.copyCodeSnippet,
    selector: '.jp-DirListing-item[data-isdir="false"]',
    rank: 14.2
  });
}

export namespace addCodeSnippetCommand {
  export interface IOptions {
    factory: IFileBrowserFactory;
    manager: BucketManager;
    model: IConnectorsModel;
    trans: TranslationBundle;
    /** The mount root as the main file browser shows it (`s3` by default). */
    mountRoot: () => string;
  }
}
