import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import {
  IDefaultFileBrowser,
  IFileBrowserFactory
} from '@jupyterlab/filebrowser';
import { PathExt } from '@jupyterlab/coreutils';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

// The browsers are managed from activation on: drives of active connectors
// must exist before the layout is restored. The drive itself loads lazily.
/* eslint-disable jupyter/prefer-lazy-imports */
import { addBucketCommands } from '../bucket/commands';
import { BucketManager } from '../bucket/manager';
import { driveNameOf } from '../bucket/names';
import { BucketSettings } from '../bucket/settings';
import { whenStartupOpened } from '../bucket/startup';
import { IConnectorsModel } from '../tokens';
import { closeDocumentsBelow } from '../widgets/dirtyDocuments';
/* eslint-enable jupyter/prefer-lazy-imports */

const PLUGIN_ID = 'jupyterlab-s3-connectors:drives';

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
    JupyterFrontEnd.ITreeResolver,
    IDefaultFileBrowser
  ],
  activate: async (
    app: JupyterFrontEnd,
    model: IConnectorsModel,
    factory: IFileBrowserFactory,
    docManager: IDocumentManager,
    palette: ICommandPalette | null,
    settingRegistry: ISettingRegistry | null,
    translator: ITranslator | null,
    treeResolver: JupyterFrontEnd.ITreeResolver | null,
    defaultBrowser: IDefaultFileBrowser | null
  ): Promise<void> => {
    translator = translator ?? nullTranslator;
    const trans = translator.load('jupyterlab_s3_connectors');

    // The browsers are made with the refresh interval of the settings.
    const settings = new BucketSettings();
    if (settingRegistry) {
      await settings.load(settingRegistry, PLUGIN_ID);
    }
    const manager = new BucketManager({
      app,
      model,
      factory,
      translator,
      trans,
      refreshInterval: settings.current.refreshInterval
    });
    settings.changed.connect((_, values) =>
      manager.setRefreshInterval(values.refreshInterval)
    );

    const startupOpened = whenStartupOpened(app, treeResolver);
    model.addDeactivationGuard(async connector => {
      // Right after a page load, JupyterLab may still be opening documents of
      // the drive: the restored layout, and the path in the URL. Let it
      // finish, so that those documents are found and closed here rather than
      // opened on a drive whose browser is gone ("Cannot open").
      await Promise.all([app.restored, startupOpened]);
      // A mounted bucket's documents are files of the main drive below its folder.
      const mountPath = connector.mount?.path;
      const prefix = mountPath
        ? `${mountPath}/`
        : `${driveNameOf(connector.id)}:`;
      const closed = await closeDocumentsBelow(app, docManager, prefix, {
        trans,
        title: trans.__('Deactivate "%1"', connector.name)
      });
      const shown = defaultBrowser?.model.path ?? '';
      if (
        closed &&
        mountPath &&
        (shown === mountPath || shown.startsWith(prefix))
      ) {
        // The folder is about to go: the main file browser leaves it first.
        await defaultBrowser!.model.cd(`/${PathExt.dirname(mountPath)}`);
      }
      return closed;
    });

    addBucketCommands(app, {
      model,
      manager,
      factory,
      palette,
      trans,
      linkExpiry: () => settings.current.shareableLinkExpiry
    });

    // Drives of active connectors exist before the layout is restored, so that
    // documents opened from a bucket reopen after a reload.
    await manager.mountActive();
  }
};
