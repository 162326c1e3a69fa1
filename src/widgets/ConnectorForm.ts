import { Dialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { validateConnector } from '../connectors/validation';
import { IConnectorsModel } from '../tokens';
import { BucketPicker } from './BucketPicker';
import {
  FieldErrors,
  IConnector,
  IConnectorDefaults,
  IConnectorInput,
  IMountsInfo,
  isMountBackend,
  MOUNT_BACKENDS
} from '../connectors/types';

type FieldName = keyof IConnectorInput;

/**
 * The body of the new/edit connector dialog.
 *
 * The dialog enables its accept button from the `.jp-mod-error` classes it
 * finds on each `input` event. It listens in the capture phase, before the
 * form has checked the field, so after each check the form sends one more
 * `input` event (from the form itself, which it ignores) for the dialog to
 * look again.
 */
export class ConnectorForm
  extends Widget
  implements Dialog.IBodyWidget<IConnectorInput>
{
  constructor(options: ConnectorForm.IOptions) {
    super({ node: document.createElement('form') });
    this.addClass('jp-S3Connectors-form');
    this._trans = options.trans;
    this._isNew = !options.connector;
    this._connector = options.connector ?? null;
    this._allowDirect = options.allowDirect;
    this._mounts = options.mounts ?? null;
    const initial = ConnectorForm.initialValues(options);
    const trans = this._trans;
    const form = this.node as HTMLFormElement;
    form.noValidate = true;
    form.autocomplete = 'off';
    form.addEventListener('submit', event => event.preventDefault());

    // Three groups that fit a 768-pixel-high window; short fields side by side.
    // The key comes before the bucket so the bucket list can use it.
    const connection = this._addGroup(trans.__('Connection'));
    const names = this._addRow(connection);
    this._addInput(names, 'name', trans.__('Name'), initial.name, {
      placeholder: trans.__('my-connector'),
      hint: trans.__(
        'Lowercase letters, digits and hyphens; starts with a letter.'
      )
    });
    this._addInput(names, 'region', trans.__('Region'), initial.region, {
      placeholder: trans.__('us-east-1')
    });
    this._addInput(
      connection,
      'description',
      trans.__('Description'),
      initial.description,
      { multiline: true, placeholder: trans.__('Optional') }
    );
    this._addInput(
      connection,
      'endpoint',
      trans.__('Endpoint'),
      initial.endpoint,
      { placeholder: trans.__('https://s3.example.com'), type: 'url' }
    );

    const credentials = this._addGroup(trans.__('Credentials and bucket'));
    const keys = this._addRow(credentials);
    keys.classList.add('jp-mod-keys');
    this._addSelect(
      keys,
      'credentials',
      trans.__('Credentials'),
      initial.credentials ?? 'key',
      [
        ['key', trans.__('Access key')],
        ['server', trans.__("The server's own")]
      ]
    );
    this._addInput(
      keys,
      'access_key_id',
      trans.__('Access key ID'),
      initial.access_key_id
    );
    this._addInput(
      keys,
      'secret_access_key',
      trans.__('Secret access key'),
      initial.secret_access_key,
      {
        type: 'password',
        placeholder: this._isNew
          ? ''
          : trans.__('Leave empty to keep the current key'),
        hint: trans.__('Stored encrypted on the server; never shown again.')
      }
    );
    const place = this._addRow(credentials);
    this._addInput(place, 'bucket', trans.__('Bucket'), initial.bucket, {
      placeholder: trans.__('my-bucket')
    });
    this._addInput(place, 'prefix', trans.__('Folder'), initial.prefix, {
      placeholder: trans.__('Optional, e.g. data/2024/')
    });
    this._bucketPicker = new BucketPicker({
      trans,
      input: this._inputs.get('bucket') as HTMLInputElement,
      list: options.listBuckets,
      request: () => this._bucketRequest()
    });

    const behaviour = this._addGroup(trans.__('Behaviour'));
    const choices = this._addRow(behaviour);
    this._addSelect(choices, 'mode', trans.__('Mode'), initial.mode, [
      ['read-write', trans.__('Read-write')],
      ['read-only', trans.__('Read-only')]
    ]);
    const backends: [string, string][] = [
      ['proxy', trans.__('Proxy (the key stays on the server)')]
    ];
    if (this._allowDirect || initial.backend === 'direct') {
      backends.push([
        'direct',
        trans.__('Direct (the browser gets the key; needs bucket CORS)')
      ]);
    }
    // The mount backends are offered when the server can mount; the others are
    // listed, disabled, and the note below says why.
    const unavailable = this._unavailableBackends();
    const mountLabels: Record<string, string> = {
      s3fs: trans.__('s3fs (mounted as a folder on the server)'),
      rclone: trans.__('rclone (mounted as a folder on the server)')
    };
    const disabled = new Set<string>();
    if (this._mounts) {
      for (const backend of MOUNT_BACKENDS) {
        backends.push([backend, mountLabels[backend]]);
        if (unavailable[backend] && initial.backend !== backend) {
          disabled.add(backend);
        }
      }
    }
    this._addSelect(
      choices,
      'backend',
      trans.__('Backend'),
      initial.backend,
      backends,
      disabled
    );
    const warning = document.createElement('div');
    warning.className = 'jp-S3Connectors-fieldHint jp-mod-warning';
    warning.textContent = this._trans.__(
      'With the direct backend the secret key is sent to your browser, and the bucket needs a CORS rule for this JupyterLab.'
    );
    behaviour.appendChild(warning);
    this._directWarning = warning;
    const mountNote = document.createElement('div');
    mountNote.className = 'jp-S3Connectors-fieldHint';
    mountNote.dataset.note = 'mount';
    behaviour.appendChild(mountNote);
    this._mountNote = mountNote;
    if (disabled.size) {
      const why = document.createElement('div');
      why.className = 'jp-S3Connectors-fieldHint';
      why.dataset.note = 'unavailable-backends';
      why.textContent = [...disabled]
        .map(backend => unavailable[backend])
        .join(' ');
      behaviour.appendChild(why);
    }

    if (options.connector?.active) {
      // The drive of an active connector is named after it.
      const name = this._inputs.get('name') as HTMLInputElement;
      name.readOnly = true;
      const hint = name.parentElement?.querySelector(
        '.jp-S3Connectors-fieldHint'
      );
      if (hint) {
        hint.textContent = trans.__('Deactivate the connector to rename it.');
      }
    }

    form.addEventListener('input', event => this._onInput(event));
    form.addEventListener('change', event => this._onInput(event));
    form.addEventListener('focusout', event => this._onInput(event));

    // Errors given by the caller (a previous attempt, or the server) show at once.
    const errors = options.errors ?? {};
    for (const name of Object.keys(errors) as FieldName[]) {
      this._touched.add(name);
    }
    this._serverErrors = { ...errors };
    this._render();
  }

  /** The bucket picker (inert when no `listBuckets` was given). */
  get bucketPicker(): BucketPicker {
    return this._bucketPicker;
  }

  dispose(): void {
    this._bucketPicker.dispose();
    super.dispose();
  }

  /** The current values; the caller validates them again. */
  getValue(): IConnectorInput {
    const value = (name: FieldName) => {
      const element = this._inputs.get(name);
      return element ? element.value.trim() : '';
    };
    return {
      name: value('name'),
      description: (this._inputs.get('description')?.value ?? '').trim(),
      endpoint: value('endpoint'),
      region: value('region'),
      bucket: value('bucket'),
      prefix: value('prefix'),
      access_key_id: value('access_key_id'),
      // A key is kept exactly as typed.
      secret_access_key: this._inputs.get('secret_access_key')?.value ?? '',
      mode: value('mode') as IConnectorInput['mode'],
      backend: value('backend') as IConnectorInput['backend'],
      credentials: (value('credentials') ||
        'key') as IConnectorInput['credentials']
    };
  }

  /** The current validation errors of every field. */
  get errors(): FieldErrors {
    return {
      ...validateConnector(this.getValue(), {
        isNew: this._isNew,
        allowDirect: this._allowDirect,
        unavailableBackends: this._unavailableBackends(),
        trans: this._trans
      }),
      ...this._serverErrors
    };
  }

  private _onInput(event: Event): void {
    const target = event.target as HTMLElement | null;
    const name = target?.getAttribute('name') as FieldName | null;
    if (!name) {
      return;
    }
    if (event.type !== 'focusout' || (target as HTMLInputElement).value) {
      this._touched.add(name);
    }
    delete this._serverErrors[name];
    this._render();
    if (event.type === 'input' || event.type === 'change') {
      this.node.dispatchEvent(new Event('input', { bubbles: true }));
    }
  }

  private _render(): void {
    const errors = this.errors;
    for (const [name, element] of this._inputs) {
      const message = this._touched.has(name) ? errors[name] : undefined;
      const field = element.closest('.jp-S3Connectors-field') as HTMLElement;
      const errorNode = field.querySelector(
        '.jp-S3Connectors-fieldError'
      ) as HTMLElement;
      errorNode.textContent = message ?? '';
      element.classList.toggle('jp-mod-error', !!message);
      element.setAttribute('aria-invalid', message ? 'true' : 'false');
    }
    // With the server's own credentials there is no key to type.
    const serverCredentials =
      this._inputs.get('credentials')?.value === 'server';
    for (const name of ['access_key_id', 'secret_access_key'] as const) {
      const field = this._inputs
        .get(name)
        ?.closest('.jp-S3Connectors-field') as HTMLElement | null;
      if (field) {
        field.hidden = serverCredentials;
      }
    }
    const backend = this._inputs.get('backend')?.value ?? '';
    this._directWarning.hidden = backend !== 'direct';
    this._mountNote.hidden = !isMountBackend(backend);
    if (!this._mountNote.hidden) {
      const root = this._mounts?.mount_root ?? 's3';
      const name = this.getValue().name || this._trans.__('<name>');
      this._mountNote.textContent = this._trans.__(
        'Activating mounts the bucket on the server at %1/: the file browser, notebooks and kernels see its objects as files.',
        root ? `${root}/${name}` : name
      );
    }
  }

  /**
   * The mount backends the server cannot use → why; the one this connector
   * already has is never refused (an edit keeps it).
   */
  private _unavailableBackends(): Record<string, string> {
    const found: Record<string, string> = {};
    for (const [backend, info] of Object.entries(
      this._mounts?.backends ?? {}
    )) {
      if (!info.available && backend !== this._connector?.backend) {
        found[backend] = info.problem;
      }
    }
    return found;
  }

  /**
   * What the bucket list needs: the endpoint and the key typed, or the stored
   * secret of the connector being edited (which never reaches the browser).
   */
  private _bucketRequest(): IConnectorsModel.IBucketListRequest | null {
    const value = this.getValue();
    const fields: FieldName[] = ['endpoint', 'region', 'access_key_id'];
    if (value.secret_access_key || !this._connector) {
      fields.push('secret_access_key');
    }
    const errors = validateConnector(value, {
      isNew: true,
      trans: this._trans
    });
    fields.forEach(field => this._touched.add(field));
    this._render();
    if (fields.some(field => errors[field])) {
      return null;
    }
    const request: IConnectorsModel.IBucketListRequest = {
      endpoint: value.endpoint,
      region: value.region,
      access_key_id: value.access_key_id
    };
    if (value.secret_access_key) {
      request.secret_access_key = value.secret_access_key;
    } else if (this._connector) {
      request.connector_id = this._connector.id;
    }
    return request;
  }

  private _addGroup(legend: string): HTMLFieldSetElement {
    const group = document.createElement('fieldset');
    group.className = 'jp-S3Connectors-group';
    const title = document.createElement('legend');
    title.textContent = legend;
    group.appendChild(title);
    this.node.appendChild(group);
    return group;
  }

  private _addRow(parent: HTMLElement): HTMLElement {
    const row = document.createElement('div');
    row.className = 'jp-S3Connectors-row';
    parent.appendChild(row);
    return row;
  }

  private _addInput(
    parent: HTMLElement,
    name: FieldName,
    label: string,
    value: string,
    options: {
      placeholder?: string;
      hint?: string;
      type?: string;
      multiline?: boolean;
    } = {}
  ): void {
    const element = options.multiline
      ? document.createElement('textarea')
      : document.createElement('input');
    if (element instanceof HTMLInputElement) {
      element.type = options.type ?? 'text';
      element.spellcheck = false;
    } else {
      element.rows = 2;
    }
    element.value = value;
    element.placeholder = options.placeholder ?? '';
    element.classList.add('jp-mod-styled');
    if (name === 'secret_access_key') {
      element.autocomplete = 'new-password';
    }
    this._addField(parent, name, label, element, options.hint);
  }

  private _addSelect(
    parent: HTMLElement,
    name: FieldName,
    label: string,
    value: string,
    choices: [string, string][],
    disabled: ReadonlySet<string> = new Set()
  ): void {
    const select = document.createElement('select');
    select.classList.add('jp-mod-styled');
    for (const [choice, text] of choices) {
      const option = document.createElement('option');
      option.value = choice;
      option.textContent = disabled.has(choice)
        ? this._trans.__('%1 (not available here)', text)
        : text;
      option.disabled = disabled.has(choice);
      select.appendChild(option);
    }
    select.value = value;
    this._addField(parent, name, label, select);
  }

  private _addField(
    parent: HTMLElement,
    name: FieldName,
    label: string,
    element: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement,
    hint?: string
  ): void {
    const id = `jp-S3Connectors-${name}-${Private.counter.next++}`;
    const field = document.createElement('div');
    field.className = 'jp-S3Connectors-field';
    field.dataset.field = name;
    const labelNode = document.createElement('label');
    labelNode.htmlFor = id;
    labelNode.textContent = label;
    element.id = id;
    element.name = name;
    const errorNode = document.createElement('div');
    errorNode.className = 'jp-S3Connectors-fieldError';
    errorNode.id = `${id}-error`;
    errorNode.setAttribute('aria-live', 'polite');
    const described = [errorNode.id];
    field.append(labelNode, element);
    if (hint) {
      const hintNode = document.createElement('div');
      hintNode.className = 'jp-S3Connectors-fieldHint';
      hintNode.id = `${id}-hint`;
      hintNode.textContent = hint;
      field.appendChild(hintNode);
      described.push(hintNode.id);
    }
    element.setAttribute('aria-describedby', described.join(' '));
    field.appendChild(errorNode);
    parent.appendChild(field);
    this._inputs.set(name, element);
  }

  private _trans: TranslationBundle;
  private _isNew: boolean;
  private _connector: IConnector | null;
  private _bucketPicker: BucketPicker;
  private _allowDirect: boolean;
  private _inputs = new Map<
    FieldName,
    HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement
  >();
  private _touched = new Set<FieldName>();
  private _serverErrors: FieldErrors = {};
  private _directWarning: HTMLElement = document.createElement('div');
  private _mountNote: HTMLElement = document.createElement('div');
  private _mounts: IMountsInfo | null;
}

export namespace ConnectorForm {
  export interface IOptions {
    trans: TranslationBundle;
    /** The connector to edit; absent for a new one. */
    connector?: IConnector;
    /** Values to start from (a previous attempt); wins over `connector`. */
    values?: IConnectorInput;
    /** Errors to show at once. */
    errors?: FieldErrors;
    defaults: IConnectorDefaults;
    allowDirect: boolean;
    /**
     * What the server offers the mount backends (`info`'s `mounts`); null or
     * absent: a server without them, whose form offers proxy and direct only.
     */
    mounts?: IMountsInfo | null;
    /** Lists the buckets a key can see (the bucket picker); none: no picker. */
    listBuckets?: BucketPicker.ListBuckets;
  }

  /** The values the form starts with. */
  export function initialValues(options: IOptions): IConnectorInput {
    if (options.values) {
      return { ...options.values };
    }
    const c = options.connector;
    return {
      name: c?.name ?? '',
      description: c?.description ?? '',
      endpoint: c?.endpoint ?? '',
      region: c?.region ?? options.defaults.region,
      bucket: c?.bucket ?? '',
      prefix: c?.prefix ?? '',
      access_key_id: c?.access_key_id ?? '',
      secret_access_key: '',
      mode: c?.mode ?? options.defaults.mode,
      backend: c?.backend ?? options.defaults.backend,
      credentials: c?.credentials ?? 'key'
    };
  }
}

namespace Private {
  /** Makes the form's element IDs unique on the page. */
  export const counter = { next: 0 };
}
