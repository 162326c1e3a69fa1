import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

// The panel, its model and commands are needed at activation: the sidebar
// shows them from the start.
/* eslint-disable jupyter/prefer-lazy-imports */
import { addCommands, PALETTE_COMMANDS } from '../commands';
import { ConnectorsModel } from '../connectors/model';
import { IConnectorDefaults } from '../connectors/types';
import { IConnectorsModel } from '../tokens';
import { ConnectorsPanel } from '../widgets/ConnectorsPanel';
/* eslint-enable jupyter/prefer-lazy-imports */

const PLUGIN_ID = 'jupyterlab-s3-connectors:connectors';

/** The backends the settings may propose. */
const BACKENDS = ['proxy', 'direct', 's3fs', 'rclone'];

/** The settings' defaults, used until (or if) the settings load. */
const DEFAULTS: IConnectorDefaults = {
  mode: 'read-write',
  backend: 'proxy',
  region: 'us-east-1'
};

/**
 * The connectors model, the "S3 Connectors" sidebar and its commands.
 */
export const connectorsPlugin: JupyterFrontEndPlugin<IConnectorsModel> = {
  id: PLUGIN_ID,
  description:
    'Lists, creates, edits, tests, activates and deletes S3 connectors in a sidebar.',
  autoStart: true,
  provides: IConnectorsModel,
  optional: [ICommandPalette, ILayoutRestorer, ISettingRegistry, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    settingRegistry: ISettingRegistry | null,
    translator: ITranslator | null
  ): IConnectorsModel => {
    translator = translator ?? nullTranslator;
    const trans = translator.load('jupyterlab_s3_connectors');
    const model = new ConnectorsModel({
      serverSettings: app.serviceManager.serverSettings
    });

    let defaults: IConnectorDefaults = { ...DEFAULTS };
    if (settingRegistry) {
      settingRegistry
        .load(PLUGIN_ID)
        .then(settings => {
          const update = () => {
            const value = settings.composite as Partial<Record<string, string>>;
            defaults = {
              mode:
                value.defaultMode === 'read-only' ? 'read-only' : 'read-write',
              backend: BACKENDS.includes(value.defaultBackend ?? '')
                ? (value.defaultBackend as IConnectorDefaults['backend'])
                : 'proxy',
              region: value.defaultRegion || DEFAULTS.region
            };
          };
          update();
          settings.changed.connect(update);
        })
        .catch(reason => {
          console.error(`Failed to load the settings of ${PLUGIN_ID}.`, reason);
        });
    }

    const panel = new ConnectorsPanel({
      commands: app.commands,
      model,
      trans,
      translator
    });
    app.shell.add(panel, 'left', { rank: 400, type: 'S3 Connectors' });
    if (restorer) {
      restorer.add(panel, 'jp-S3Connectors-panel');
    }

    addCommands(app, model, {
      trans,
      defaults: () => defaults,
      panelId: panel.id
    });
    if (palette) {
      const category = trans.__('S3 Connectors');
      for (const command of PALETTE_COMMANDS) {
        palette.addItem({ command, category });
      }
    }

    // The panel shows a failure; the console keeps the details.
    model.refresh().catch(reason => {
      console.warn('S3 connectors could not be loaded:', reason);
    });
    return model;
  }
};
