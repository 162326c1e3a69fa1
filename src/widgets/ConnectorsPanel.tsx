import { ReactWidget, UseSignal } from '@jupyterlab/apputils';
import { ITranslator, TranslationBundle } from '@jupyterlab/translation';
import {
  addIcon,
  CommandToolbarButton,
  refreshIcon,
  SidePanel,
  ToolbarButton
} from '@jupyterlab/ui-components';
import { CommandRegistry } from '@lumino/commands';
import { Panel } from '@lumino/widgets';
import * as React from 'react';

import { CommandIDs } from '../commands';
import { ConnectorList } from '../components/ConnectorList';
import { IConnector } from '../connectors/types';
import { bucketIcon } from '../icons';
import { IConnectorsModel } from '../tokens';

/**
 * The "S3 Connectors" panel of the left sidebar.
 */
export class ConnectorsPanel extends SidePanel {
  constructor(options: ConnectorsPanel.IOptions) {
    super({ content: new Panel(), translator: options.translator });
    const { commands, model, trans } = options;
    this.id = 'jp-S3Connectors-panel';
    this.addClass('jp-S3Connectors-panel');
    this.title.icon = bucketIcon;
    this.title.caption = trans.__('S3 Connectors');
    this.node.setAttribute('role', 'region');
    this.node.setAttribute('aria-label', trans.__('S3 Connectors'));

    const header = document.createElement('h2');
    header.textContent = trans.__('S3 Connectors');
    this.header.node.appendChild(header);
    this.header.addClass('jp-S3Connectors-header');

    // Follows the command: disabled, with its reason as the tooltip, for a
    // user the server does not allow to change connectors.
    this.toolbar.addItem(
      'new',
      new CommandToolbarButton({
        commands,
        id: CommandIDs.create,
        icon: addIcon,
        label: ''
      })
    );
    model.changed.connect(
      () => commands.notifyCommandChanged(CommandIDs.create),
      this
    );
    this.toolbar.addItem(
      'refresh',
      new ToolbarButton({
        icon: refreshIcon,
        tooltip: trans.__('Refresh the list'),
        onClick: () => void commands.execute(CommandIDs.refresh)
      })
    );

    const run = (id: string) => (connector: IConnector) =>
      void commands.execute(id, { id: connector.id });
    const actions = {
      create: () => void commands.execute(CommandIDs.create),
      retry: () => void commands.execute(CommandIDs.refresh),
      edit: run(CommandIDs.edit),
      browse: run(CommandIDs.openBrowser),
      test: run(CommandIDs.test),
      remove: run(CommandIDs.remove),
      remount: run(CommandIDs.remount),
      publish: (connector: IConnector, catalog: string) =>
        void commands.execute(CommandIDs.publish, {
          id: connector.id,
          catalog
        }),
      unpublish: (connector: IConnector, catalog: string) =>
        void commands.execute(CommandIDs.unpublish, {
          id: connector.id,
          catalog
        }),
      toggleActive: (connector: IConnector) =>
        void commands.execute(
          connector.active ? CommandIDs.deactivate : CommandIDs.activate,
          { id: connector.id }
        )
    };
    const content = ReactWidget.create(
      <UseSignal signal={model.changed}>
        {() => <ConnectorList model={model} actions={actions} trans={trans} />}
      </UseSignal>
    );
    content.addClass('jp-S3Connectors-content');
    this.addWidget(content);
  }
}

export namespace ConnectorsPanel {
  export interface IOptions {
    commands: CommandRegistry;
    model: IConnectorsModel;
    trans: TranslationBundle;
    translator?: ITranslator;
  }
}
