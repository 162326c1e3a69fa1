import {
  FileBrowser,
  IFileBrowserFactory,
  Uploader
} from '@jupyterlab/filebrowser';
import { ITranslator, TranslationBundle } from '@jupyterlab/translation';
import {
  filterIcon,
  newFolderIcon,
  notebookIcon,
  refreshIcon,
  textEditorIcon,
  ToolbarButton
} from '@jupyterlab/ui-components';
import { CommandRegistry } from '@lumino/commands';

import { IConnector } from '../connectors/types';
import { connectorTabIcon } from '../icons';
import { BucketBrowserHeader } from '../widgets/BucketBrowserHeader';
import { BucketListingRenderer } from './listing';
import {
  BROWSER_CLASS,
  browserIdOf,
  DIRECT_CLASS,
  READ_ONLY_CLASS
} from './names';

/**
 * A JupyterLab file browser on a connector's drive, with a header and a
 * toolbar that offer only what the connector allows.
 */
export function createBucketBrowser(
  options: createBucketBrowser.IOptions
): FileBrowser {
  const { connector, trans, commands } = options;
  const readOnly = connector.mode === 'read-only';
  const browser = options.factory.createFileBrowser(
    browserIdOf(connector.name, connector.catalog),
    {
      driveName: options.driveName,
      refreshInterval: options.refreshInterval,
      restore: true,
      renderer: Private.renderer
    }
  );
  browser.addClass(BROWSER_CLASS);
  browser.toggleClass(READ_ONLY_CLASS, readOnly);
  browser.toggleClass(DIRECT_CLASS, connector.backend === 'direct');
  browser.node.dataset.connectorId = connector.id;
  browser.node.dataset.connectorName = connector.name;
  browser.title.icon = connectorTabIcon(connector);
  const title = connector.catalog
    ? trans.__('%1 (published in %2)', connector.name, connector.catalog)
    : connector.name;
  browser.title.caption = readOnly
    ? trans.__('S3: %1 (bucket %2, read-only)', title, connector.bucket)
    : trans.__('S3: %1 (bucket %2)', title, connector.bucket);
  browser.header.addWidget(new BucketBrowserHeader(connector, trans));

  const toolbar = browser.toolbar;
  if (!readOnly) {
    toolbar.addItem(
      'new-folder',
      new ToolbarButton({
        icon: newFolderIcon,
        tooltip: trans.__('New Folder'),
        onClick: () => void browser.createNewDirectory()
      })
    );
    toolbar.addItem(
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
    toolbar.addItem(
      'new-file',
      new ToolbarButton({
        icon: textEditorIcon,
        tooltip: trans.__('New Text File'),
        onClick: () => void browser.createNewFile({ ext: '.txt' })
      })
    );
    toolbar.addItem(
      'upload',
      new Uploader({ model: browser.model, translator: options.translator })
    );
  }
  toolbar.addItem(
    'refresh',
    new ToolbarButton({
      icon: refreshIcon,
      tooltip: trans.__('Refresh the bucket listing'),
      onClick: () => void browser.model.refresh()
    })
  );
  toolbar.addItem(
    'filter',
    new ToolbarButton({
      icon: filterIcon,
      tooltip: trans.__('Filter the file names'),
      onClick: () => {
        browser.showFileFilter = !browser.showFileFilter;
      }
    })
  );
  return browser;
}

export namespace createBucketBrowser {
  export interface IOptions {
    connector: IConnector;
    /** The name of the connector's drive. */
    driveName: string;
    /** How often the listing is refreshed, in milliseconds. */
    refreshInterval: number;
    factory: IFileBrowserFactory;
    commands: CommandRegistry;
    translator: ITranslator;
    trans: TranslationBundle;
  }
}

/**
 * A namespace for module-private data.
 */
namespace Private {
  /** The listing renderer every bucket browser shares. */
  export const renderer = new BucketListingRenderer();
}
