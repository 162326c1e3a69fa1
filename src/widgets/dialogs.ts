import { Dialog, InputDialog, showDialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { validateConnector } from '../connectors/validation';
import {
  FieldErrors,
  IConnector,
  IConnectorDefaults,
  IConnectorInput
} from '../connectors/types';
import { ConnectorsAPIError } from '../requests';
import { IConnectorsModel } from '../tokens';
import { ConnectorForm } from './ConnectorForm';

/**
 * Show the connector form until the input is valid and the server accepts
 * it, or the user cancels. Nothing typed is lost between attempts.
 *
 * @returns the created or updated connector, or null when cancelled.
 */
export async function showConnectorForm(
  model: IConnectorsModel,
  options: {
    trans: TranslationBundle;
    defaults: IConnectorDefaults;
    connector?: IConnector;
  }
): Promise<IConnector | null> {
  const { trans, connector } = options;
  let values: IConnectorInput | undefined;
  let errors: FieldErrors | undefined;
  let message = '';
  for (;;) {
    const form = new ConnectorForm({
      trans,
      connector,
      values,
      errors,
      defaults: options.defaults,
      allowDirect: model.serverInfo?.allow_direct_backend ?? true,
      mounts: model.serverInfo?.mounts ?? null,
      listBuckets: request => model.listBuckets(request)
    });
    if (message) {
      const banner = document.createElement('div');
      banner.className = 'jp-S3Connectors-formError';
      banner.setAttribute('role', 'alert');
      banner.textContent = message;
      form.node.prepend(banner);
    }
    const result = await showDialog({
      title: connector
        ? trans.__('Edit connector "%1"', connector.name)
        : trans.__('New S3 connector'),
      body: form,
      focusNodeSelector: 'input',
      buttons: [
        Dialog.cancelButton({ label: trans.__('Cancel') }),
        Dialog.okButton({
          label: connector ? trans.__('Save') : trans.__('Create')
        })
      ]
    });
    if (!result.button.accept || !result.value) {
      return null;
    }
    values = result.value;
    errors = validateConnector(values, {
      isNew: !connector,
      allowDirect: model.serverInfo?.allow_direct_backend ?? true,
      unavailableBackends: unavailableBackends(model, connector),
      trans
    });
    message = '';
    if (Object.keys(errors).length) {
      message = trans.__('Correct the fields marked below.');
      continue;
    }
    try {
      return connector
        ? await model.update(connector.id, values)
        : await model.create(values);
    } catch (error) {
      const fieldErrors =
        error instanceof ConnectorsAPIError ? error.fieldErrors : {};
      errors = fieldErrors;
      message = (error as Error).message;
    }
  }
}

/**
 * Ask which connector to act on, when a command got none.
 */
export async function pickConnector(
  model: IConnectorsModel,
  trans: TranslationBundle,
  options: { title: string; filter?: (c: IConnector) => boolean }
): Promise<IConnector | null> {
  const candidates = model.connectors.filter(options.filter ?? (() => true));
  if (!candidates.length) {
    await showDialog({
      title: options.title,
      body: trans.__('There is no connector to choose from.'),
      buttons: [Dialog.okButton({ label: trans.__('OK') })]
    });
    return null;
  }
  // A published connector may be named as one of the user's own.
  const labels = candidates.map(c =>
    c.catalog ? trans.__('%1 (published in %2)', c.name, c.catalog) : c.name
  );
  const selected = candidates.findIndex(c => c.id === model.selectedId);
  const result = await InputDialog.getItem({
    title: options.title,
    items: labels,
    current: Math.max(selected, 0),
    okLabel: trans.__('Choose'),
    cancelLabel: trans.__('Cancel')
  });
  if (!result.button.accept || result.value === null) {
    return null;
  }
  return candidates[labels.indexOf(result.value)] ?? null;
}

/**
 * Ask before deleting items of a bucket for good (S3 has no trash).
 *
 * @returns whether the user confirmed.
 */
export async function confirmPermanentDelete(
  names: ReadonlyArray<string>,
  trans: TranslationBundle
): Promise<boolean> {
  const label = trans.__('Delete');
  const result = await showDialog({
    title: label,
    body:
      names.length === 1
        ? trans.__('Are you sure you want to permanently delete: %1?', names[0])
        : trans._n(
            'Are you sure you want to permanently delete the %1 selected item?',
            'Are you sure you want to permanently delete the %1 selected items?',
            names.length
          ),
    buttons: [
      Dialog.cancelButton({ label: trans.__('Cancel') }),
      Dialog.warnButton({ label })
    ],
    // Cancel by default: Delete and Enter are close on many keyboards.
    defaultButton: 0
  });
  return result.button.accept;
}

/**
 * The mount backends the server cannot use → why (the connector's own backend
 * excepted: editing it never refuses what it already has).
 */
function unavailableBackends(
  model: IConnectorsModel,
  connector?: IConnector
): Record<string, string> {
  const found: Record<string, string> = {};
  const backends = model.serverInfo?.mounts?.backends ?? {};
  for (const [backend, info] of Object.entries(backends)) {
    if (!info.available && backend !== connector?.backend) {
      found[backend] = info.problem;
    }
  }
  return found;
}

/**
 * A busy mount could not be unmounted: say why and offer a lazy unmount.
 *
 * @param message the server's explanation (which folder, what holds it)
 * @returns whether to unmount anyway
 */
export async function confirmForcedUnmount(
  connector: IConnector,
  message: string,
  trans: TranslationBundle
): Promise<boolean> {
  const body = document.createElement('div');
  body.className = 'jp-S3Connectors-busyMount';
  const reason = document.createElement('p');
  reason.textContent = message;
  const advice = document.createElement('p');
  advice.textContent = trans.__(
    'Unmounting anyway detaches the folder at once: the processes using it lose their open files, and unsaved writes through them may be lost.'
  );
  body.append(reason, advice);
  const result = await showDialog({
    title: trans.__('"%1" is in use', connector.name),
    body: new Widget({ node: body }),
    buttons: [
      Dialog.cancelButton({ label: trans.__('Keep it mounted') }),
      Dialog.warnButton({ label: trans.__('Unmount anyway') })
    ]
  });
  return result.button.accept;
}
