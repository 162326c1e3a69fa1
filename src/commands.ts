import { JupyterFrontEnd } from '@jupyterlab/application';
import {
  Dialog,
  InputDialog,
  Notification,
  showDialog
} from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import { IConnector, IConnectorDefaults } from './connectors/types';
import { IConnectorsModel } from './tokens';
import { ConnectorsAPIError } from './requests';
import {
  confirmForcedUnmount,
  pickConnector,
  showConnectorForm
} from './widgets/dialogs';

/**
 * The command IDs of the extension.
 */
export namespace CommandIDs {
  export const create = 's3-connectors:new-connector';
  export const refresh = 's3-connectors:refresh';
  export const openPanel = 's3-connectors:open-panel';
  export const test = 's3-connectors:test-connection';
  export const edit = 's3-connectors:edit-connector';
  export const remove = 's3-connectors:delete-connector';
  export const activate = 's3-connectors:activate';
  export const deactivate = 's3-connectors:deactivate';
  export const remount = 's3-connectors:remount';
  export const openBrowser = 's3-connectors:open-browser';
  export const copyS3Uri = 's3-connectors:copy-s3-uri';
  export const copyShareableLink = 's3-connectors:copy-shareable-link';
  export const copyCodeSnippet = 's3-connectors:copy-code-snippet';
  export const deleteItems = 's3-connectors:delete-items';
  export const publish = 's3-connectors:publish';
  export const unpublish = 's3-connectors:unpublish';
}

/**
 * The arguments of the commands that act on one connector. Without them, the
 * command asks which connector to use.
 */
export interface IConnectorArgs extends ReadonlyPartialJSONObject {
  /** The connector's ID or name. */
  id?: string;
}

/** The commands shown in the command palette, in order. */
export const PALETTE_COMMANDS = [
  CommandIDs.create,
  CommandIDs.refresh,
  CommandIDs.openPanel,
  CommandIDs.test,
  CommandIDs.edit,
  CommandIDs.activate,
  CommandIDs.deactivate,
  CommandIDs.remount,
  CommandIDs.remove,
  CommandIDs.publish,
  CommandIDs.unpublish
];

/** The arguments schema of commands that take no argument. */
const NO_ARGS = { args: { type: 'object' as const, properties: {} } };

/** The arguments schema of commands that act on one connector. */
const CONNECTOR_ARGS = {
  args: {
    type: 'object' as const,
    properties: {
      id: {
        type: 'string' as const,
        description:
          'The ID or name of the connector; without it, a picker asks for one.'
      }
    }
  }
};

/** What the commands of one group share. */
interface ICommandContext {
  app: JupyterFrontEnd;
  model: IConnectorsModel;
  trans: TranslationBundle;
  defaults: () => IConnectorDefaults;
  panelId: string;
  /** The connector named by the arguments, or one the user picks. */
  resolve: (
    args: ReadonlyPartialJSONObject,
    title: string,
    filter?: (c: IConnector) => boolean
  ) => Promise<IConnector | null>;
  /** Report a failed call in a notification that says what happened. */
  report: (action: string, error: unknown) => void;
}

/**
 * Register the commands on connectors. The commands of the bucket browsers
 * are in `bucket/commands.ts`.
 */
export function addCommands(
  app: JupyterFrontEnd,
  model: IConnectorsModel,
  options: {
    trans: TranslationBundle;
    defaults: () => IConnectorDefaults;
    panelId: string;
  }
): void {
  const { trans } = options;
  const context: ICommandContext = {
    app,
    model,
    ...options,
    resolve: async (args, title, filter) => {
      // Run during start-up, a command waits for the list of connectors.
      await model.ready;
      const id = typeof args.id === 'string' ? args.id : '';
      if (id) {
        const connector = model.find(id);
        if (!connector) {
          Notification.error(
            trans.__('No connector "%1": refresh the list and try again.', id)
          );
        }
        return connector ?? null;
      }
      return pickConnector(model, trans, { title, filter });
    },
    report: (action, error) => {
      Notification.error(
        trans.__('%1 failed: %2', action, (error as Error).message),
        { autoClose: false }
      );
    }
  };
  addListCommands(context);
  addStateCommands(context);
  addPublishingCommands(context);
}

/** The arguments schema of the commands that publish and unpublish. */
const PUBLISH_ARGS = {
  args: {
    type: 'object' as const,
    properties: {
      ...CONNECTOR_ARGS.args.properties,
      catalog: {
        type: 'string' as const,
        description:
          'The name of the catalog; without it, a picker asks for one.'
      }
    }
  }
};

/** Whether a connector is the user's own (not a published copy). */
const isOwn = (c: IConnector): boolean => !c.catalog;

/** Publish connectors to a catalog of the team, and withdraw them. */
function addPublishingCommands(context: ICommandContext): void {
  const { app, model, trans, resolve, report } = context;
  const { commands } = app;

  /** The catalog named by the arguments, or one the user picks among `names`. */
  const pickCatalog = async (
    args: ReadonlyPartialJSONObject,
    names: string[],
    title: string
  ): Promise<string | null> => {
    if (typeof args.catalog === 'string' && args.catalog) {
      return args.catalog;
    }
    if (names.length === 1) {
      return names[0]; // the notification or the confirmation names it
    }
    if (!names.length) {
      await showDialog({
        title,
        body: trans.__('There is no catalog to choose from.'),
        buttons: [Dialog.okButton({ label: trans.__('OK') })]
      });
      return null;
    }
    const titles = names.map(
      name => model.catalogs.find(c => c.name === name)?.title ?? name
    );
    const result = await InputDialog.getItem({
      title,
      items: titles,
      okLabel: trans.__('Choose'),
      cancelLabel: trans.__('Cancel')
    });
    if (!result.button.accept || result.value === null) {
      return null;
    }
    return names[titles.indexOf(result.value)] ?? null;
  };

  commands.addCommand(CommandIDs.publish, {
    describedBy: PUBLISH_ARGS,
    label: args =>
      args.catalog
        ? trans.__('Publish')
        : trans.__('Publish S3 Connector to a Catalog…'),
    caption: trans.__(
      'Let the members of a catalog use a connector without its key'
    ),
    isVisible: () => model.catalogs.some(c => !c.read_only),
    execute: async args => {
      const connector = await resolve(
        args,
        trans.__('Publish the connector…'),
        isOwn
      );
      if (!connector) {
        return;
      }
      const writable = model.catalogs
        .filter(c => !c.read_only && !c.cannot_publish)
        .map(c => c.name);
      const catalog = await pickCatalog(
        args,
        writable,
        trans.__('Publish "%1" to…', connector.name)
      );
      if (!catalog) {
        return;
      }
      try {
        await model.publish(connector.id, catalog);
        Notification.success(
          trans.__(
            'Connector "%1" is published: the members of %2 can activate it, not read its key.',
            connector.name,
            catalog
          ),
          { autoClose: 5000 }
        );
      } catch (error) {
        report(trans.__('Publishing the connector'), error);
      }
    }
  });

  commands.addCommand(CommandIDs.unpublish, {
    describedBy: PUBLISH_ARGS,
    label: args =>
      args.catalog
        ? trans.__('Unpublish')
        : trans.__('Unpublish S3 Connector…'),
    isVisible: () => model.catalogs.some(c => !c.read_only),
    execute: async args => {
      const connector = await resolve(
        args,
        trans.__('Unpublish the connector…'),
        c =>
          c.catalog ? !!c.can_unpublish : model.publications(c.id).length > 0
      );
      if (!connector) {
        return;
      }
      const catalog = connector.catalog
        ? connector.catalog
        : await pickCatalog(
            args,
            model.publications(connector.id),
            trans.__('Unpublish "%1" from…', connector.name)
          );
      if (!catalog) {
        return;
      }
      const result = await showDialog({
        title: trans.__('Unpublish connector'),
        body: trans.__(
          'Withdraw "%1" from %2? Its members can no longer use it; your connector stays as it is.',
          connector.name,
          catalog
        ),
        buttons: [
          Dialog.cancelButton({ label: trans.__('Cancel') }),
          Dialog.warnButton({ label: trans.__('Unpublish') })
        ]
      });
      if (!result.button.accept) {
        return;
      }
      try {
        await model.unpublish(connector.id, catalog);
        Notification.success(
          trans.__(
            'Connector "%1" was withdrawn from %2.',
            connector.name,
            catalog
          ),
          { autoClose: 3000 }
        );
      } catch (error) {
        report(trans.__('Unpublishing the connector'), error);
      }
    }
  });
}

/** Create, list, show, edit and delete connectors. */
function addListCommands(context: ICommandContext): void {
  const { app, model, trans, resolve, report } = context;
  const { commands } = app;

  commands.addCommand(CommandIDs.create, {
    describedBy: NO_ARGS,
    label: trans.__('New S3 Connector…'),
    caption: () =>
      model.permissions.write
        ? trans.__('Create a connector to an S3 bucket')
        : trans.__(
            'You may not create connectors: this server does not allow you to change them'
          ),
    isEnabled: () => model.permissions.write,
    execute: async () => {
      const connector = await showConnectorForm(model, {
        trans,
        defaults: context.defaults()
      });
      if (connector) {
        Notification.success(
          trans.__('Connector "%1" created.', connector.name),
          {
            autoClose: 3000
          }
        );
      }
      return connector;
    }
  });

  commands.addCommand(CommandIDs.refresh, {
    describedBy: NO_ARGS,
    label: trans.__('Refresh S3 Connectors'),
    caption: trans.__('Reload the list of connectors from the server'),
    execute: async () => {
      try {
        await model.refresh();
      } catch (error) {
        // The panel shows the state; a notification tells those not looking.
        report(trans.__('Refreshing the connectors'), error);
      }
    }
  });

  commands.addCommand(CommandIDs.openPanel, {
    describedBy: NO_ARGS,
    label: trans.__('Open the S3 Connectors Panel'),
    execute: () => {
      app.shell.activateById(context.panelId);
    }
  });

  commands.addCommand(CommandIDs.edit, {
    describedBy: CONNECTOR_ARGS,
    label: args =>
      args.id ? trans.__('Edit') : trans.__('Edit S3 Connector…'),
    isEnabled: () => model.permissions.write,
    execute: async args => {
      const connector = await resolve(
        args,
        trans.__('Edit the connector…'),
        isOwn
      );
      if (!connector) {
        return;
      }
      const saved = await showConnectorForm(model, {
        trans,
        defaults: context.defaults(),
        connector
      });
      const copies = saved ? model.publications(saved.id) : [];
      if (saved && copies.length) {
        await offerToUpdateCopies(context, saved, copies);
      }
      return saved;
    }
  });

  commands.addCommand(CommandIDs.remove, {
    describedBy: CONNECTOR_ARGS,
    label: args =>
      args.id ? trans.__('Delete') : trans.__('Delete S3 Connector…'),
    isEnabled: () => model.permissions.write,
    execute: async args => {
      const connector = await resolve(
        args,
        trans.__('Delete the connector…'),
        isOwn
      );
      if (!connector) {
        return;
      }
      const body = connector.active
        ? trans.__(
            'Connector "%1" is active. Deactivate it and delete it? Its bucket is not changed.',
            connector.name
          )
        : trans.__(
            'Delete connector "%1"? Its bucket is not changed.',
            connector.name
          );
      const result = await showDialog({
        title: trans.__('Delete connector'),
        body,
        buttons: [
          Dialog.cancelButton({ label: trans.__('Cancel') }),
          Dialog.warnButton({
            label: connector.active
              ? trans.__('Deactivate and delete')
              : trans.__('Delete')
          })
        ]
      });
      if (!result.button.accept) {
        return;
      }
      try {
        if (
          connector.active &&
          !(await deactivateOrAsk(model, connector, trans))
        ) {
          return;
        }
        await model.remove(connector.id);
        Notification.success(
          trans.__('Connector "%1" deleted.', connector.name),
          {
            autoClose: 3000
          }
        );
      } catch (error) {
        report(trans.__('Deleting the connector'), error);
      }
    }
  });
}

/** Test, activate and deactivate connectors. */
function addStateCommands(context: ICommandContext): void {
  const { app, model, trans, resolve, report } = context;
  const { commands } = app;

  commands.addCommand(CommandIDs.test, {
    describedBy: CONNECTOR_ARGS,
    label: args =>
      args.id
        ? trans.__('Test Connection')
        : trans.__('Test S3 Connector Connection…'),
    caption: trans.__(
      'Check that the bucket can be reached with the stored key'
    ),
    execute: async args => {
      const connector = await resolve(
        args,
        trans.__('Test the connection of…')
      );
      if (!connector) {
        return;
      }
      model.selectedId = connector.id;
      try {
        const result = await model.test(connector.id);
        if (result.ok) {
          Notification.success(result.message, { autoClose: 4000 });
        } else {
          // The result stays in the connector's details; the notice goes.
          Notification.warning(
            trans.__('Connector "%1": %2', connector.name, result.message),
            {
              autoClose: 8000,
              actions: [
                {
                  label: trans.__('Edit connector'),
                  callback: () =>
                    void commands.execute(CommandIDs.edit, { id: connector.id })
                }
              ]
            }
          );
        }
        return result;
      } catch (error) {
        report(trans.__('Testing the connection'), error);
      }
    }
  });

  commands.addCommand(CommandIDs.activate, {
    describedBy: CONNECTOR_ARGS,
    label: args =>
      args.id ? trans.__('Activate') : trans.__('Activate S3 Connector…'),
    isEnabled: args => {
      const c = typeof args.id === 'string' ? model.find(args.id) : undefined;
      return !c || !c.active;
    },
    execute: async args => {
      const connector = await resolve(
        args,
        trans.__('Activate the connector…'),
        c => !c.active
      );
      if (!connector) {
        return;
      }
      try {
        return await model.activate(connector.id);
      } catch (error) {
        report(trans.__('Activating the connector'), error);
      }
    }
  });

  commands.addCommand(CommandIDs.deactivate, {
    describedBy: CONNECTOR_ARGS,
    label: args =>
      args.id ? trans.__('Deactivate') : trans.__('Deactivate S3 Connector…'),
    isEnabled: args => {
      const c = typeof args.id === 'string' ? model.find(args.id) : undefined;
      return !c || c.active;
    },
    execute: async args => {
      const connector = await resolve(
        args,
        trans.__('Deactivate the connector…'),
        c => c.active
      );
      if (!connector) {
        return;
      }
      try {
        return await deactivateOrAsk(model, connector, trans);
      } catch (error) {
        report(trans.__('Deactivating the connector'), error);
      }
    }
  });

  commands.addCommand(CommandIDs.remount, {
    describedBy: CONNECTOR_ARGS,
    label: args =>
      args.id ? trans.__('Remount') : trans.__('Remount S3 Connector…'),
    caption: trans.__(
      "Mount the connector's bucket again after its mount failed or was lost"
    ),
    isEnabled: args => {
      const c = typeof args.id === 'string' ? model.find(args.id) : undefined;
      return !c || (c.active && !!c.mount);
    },
    execute: async args => {
      const connector = await resolve(
        args,
        trans.__('Remount the connector…'),
        c => c.active && !!c.mount
      );
      if (!connector) {
        return;
      }
      try {
        const remounted = await model.remount(connector.id);
        Notification.success(
          trans.__(
            'Connector "%1" is mounted at %2.',
            remounted.name,
            remounted.mount?.path ?? remounted.mount?.local_path ?? ''
          ),
          { autoClose: 3000 }
        );
        return remounted;
      } catch (error) {
        report(trans.__('Remounting the connector'), error);
      }
    }
  });
}

/**
 * Deactivate; when the mount is busy, say so and offer to unmount anyway.
 *
 * @returns the connector, or null when it stays active.
 */
async function deactivateOrAsk(
  model: IConnectorsModel,
  connector: IConnector,
  trans: TranslationBundle
): Promise<IConnector | null> {
  try {
    return await model.deactivate(connector.id);
  } catch (error) {
    if (!(error instanceof ConnectorsAPIError) || error.code !== 'mount.busy') {
      throw error;
    }
    if (!(await confirmForcedUnmount(connector, error.message, trans))) {
      return null;
    }
    return model.deactivate(connector.id, { force: true, skipGuards: true });
  }
}

/**
 * After an edit of a published connector: its copies still hold the old
 * settings (and key) until it is published again; ask whether to do so.
 */
async function offerToUpdateCopies(
  context: ICommandContext,
  connector: IConnector,
  catalogs: string[]
): Promise<void> {
  const { model, trans, report } = context;
  const result = await showDialog({
    title: trans.__('Update the published copy?'),
    body: trans.__(
      '"%1" is published in %2. Its members use the copy published there, which still has the settings from before this edit. Publish the new settings?',
      connector.name,
      catalogs.join(', ')
    ),
    buttons: [
      Dialog.cancelButton({ label: trans.__('Keep the published copy') }),
      Dialog.okButton({ label: trans.__('Update the copy') })
    ]
  });
  if (!result.button.accept) {
    return;
  }
  try {
    for (const catalog of catalogs) {
      await model.publish(connector.id, catalog);
    }
    Notification.success(
      trans.__('The published copy of "%1" is up to date.', connector.name),
      { autoClose: 3000 }
    );
  } catch (error) {
    report(trans.__('Updating the published copy'), error);
  }
}
