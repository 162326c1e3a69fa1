import { TranslationBundle } from '@jupyterlab/translation';
import { IDisposable } from '@lumino/disposable';

import { IConnectorsModel } from '../tokens';

/**
 * The bucket picker of the connector form: a "List buckets" button beside the
 * bucket field that asks the server which buckets the key can see, and offers
 * them in a list (and as the field's suggestions). Typing stays possible.
 */
export class BucketPicker implements IDisposable {
  constructor(options: BucketPicker.IOptions) {
    const { input, trans } = options;
    this._trans = trans;
    this._input = input;
    this._request = options.request;
    this._list = options.list ?? null;
    if (!this._list) {
      return;
    }
    const control = document.createElement('div');
    control.className = 'jp-S3Connectors-bucketControl';
    input.replaceWith(control);
    const datalist = document.createElement('datalist');
    datalist.id = `${input.id}-buckets`;
    input.setAttribute('list', datalist.id);
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'jp-mod-styled jp-S3Connectors-listBuckets';
    button.textContent = trans.__('List buckets');
    button.title = trans.__('Ask the endpoint which buckets this key can see');
    button.addEventListener('click', () => void this.refresh());
    control.append(input, button, datalist);

    // The dialog wraps a select in its own styled node: hide a box around both.
    const choicesBox = document.createElement('div');
    choicesBox.className = 'jp-S3Connectors-bucketChoices';
    choicesBox.hidden = true;
    const choices = document.createElement('select');
    choices.className = 'jp-mod-styled';
    choices.setAttribute('aria-label', trans.__('Buckets found'));
    choicesBox.appendChild(choices);
    choices.addEventListener('change', () => {
      if (choices.value) {
        input.value = choices.value;
        input.dispatchEvent(new Event('input', { bubbles: true }));
      }
    });
    const status = document.createElement('div');
    status.className = 'jp-S3Connectors-fieldHint jp-S3Connectors-bucketStatus';
    status.setAttribute('role', 'status');
    control.after(choicesBox, status);
    this._button = button;
    this._datalist = datalist;
    this._choices = choices;
    this._choicesBox = choicesBox;
    this._status = status;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** The buckets of the last successful listing. */
  get buckets(): ReadonlyArray<string> {
    return this._buckets;
  }

  /** List the buckets with what the form holds now. */
  async refresh(): Promise<void> {
    if (!this._list || !this._button) {
      return;
    }
    const request = this._request();
    if (!request) {
      this._show(
        this._trans.__(
          'Enter a valid endpoint, access key ID and secret key first.'
        ),
        true
      );
      return;
    }
    this._button.disabled = true;
    this._show(this._trans.__('Listing buckets…'), false);
    try {
      const result = await this._list(request);
      if (this._isDisposed) {
        return;
      }
      if (!result.ok) {
        this._show(result.message, true);
        return;
      }
      this._fill(result.buckets);
      this._show(
        result.buckets.length
          ? this._trans._n(
              '%1 bucket found: choose it from the list or type a name.',
              '%1 buckets found: choose one from the list or type a name.',
              result.buckets.length
            )
          : this._trans.__(
              'This key sees no bucket by listing: type the bucket name.'
            ),
        false
      );
    } catch (error) {
      if (!this._isDisposed) {
        this._show((error as Error).message, true);
      }
    } finally {
      this._button.disabled = false;
    }
  }

  dispose(): void {
    this._isDisposed = true;
  }

  private _fill(buckets: string[]): void {
    this._buckets = [...buckets];
    const datalist = this._datalist!;
    const choices = this._choices!;
    datalist.replaceChildren(...buckets.map(name => new Option(name, name)));
    const prompt = new Option(this._trans.__('Choose a bucket…'), '');
    choices.replaceChildren(
      prompt,
      ...buckets.map(name => new Option(name, name))
    );
    choices.value = buckets.includes(this._input.value)
      ? this._input.value
      : '';
    this._choicesBox!.hidden = buckets.length === 0;
  }

  private _show(message: string, isError: boolean): void {
    this._status!.textContent = message;
    this._status!.classList.toggle('jp-mod-error', isError);
  }

  private _trans: TranslationBundle;
  private _input: HTMLInputElement;
  private _request: () => IConnectorsModel.IBucketListRequest | null;
  private _list: BucketPicker.ListBuckets | null;
  private _button: HTMLButtonElement | null = null;
  private _datalist: HTMLDataListElement | null = null;
  private _choices: HTMLSelectElement | null = null;
  private _choicesBox: HTMLElement | null = null;
  private _status: HTMLElement | null = null;
  private _buckets: string[] = [];
  private _isDisposed = false;
}

export namespace BucketPicker {
  /** Asks the server for the buckets a key can see. */
  export type ListBuckets = (
    request: IConnectorsModel.IBucketListRequest
  ) => Promise<IConnectorsModel.IBucketList>;

  export interface IOptions {
    trans: TranslationBundle;
    /** The bucket field, already in the document tree of the form. */
    input: HTMLInputElement;
    /** No function: no picker, the field stays as it is. */
    list?: ListBuckets;
    /** The request from the form's values, or null when they are not valid. */
    request: () => IConnectorsModel.IBucketListRequest | null;
  }
}
