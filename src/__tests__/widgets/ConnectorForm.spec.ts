import { nullTranslator } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { IConnector } from '../../connectors/types';
import { ConnectorForm } from '../../widgets/ConnectorForm';

const trans = nullTranslator.load('jupyterlab_s3_connectors');
const defaults = {
  mode: 'read-write' as const,
  backend: 'proxy' as const,
  region: 'us-east-1'
};

function type(form: ConnectorForm, name: string, value: string): void {
  const input = form.node.querySelector(`[name="${name}"]`) as HTMLInputElement;
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true }));
}

function errorOf(form: ConnectorForm, name: string): string {
  return (
    form.node.querySelector(
      `[data-field="${name}"] .jp-S3Connectors-fieldError`
    )?.textContent ?? ''
  );
}

describe('ConnectorForm', () => {
  let form: ConnectorForm;

  afterEach(() => form.dispose());

  it('starts from the settings defaults and shows no error before typing', () => {
    form = new ConnectorForm({ trans, defaults, allowDirect: true });
    Widget.attach(form, document.body);
    expect(form.getValue()).toMatchObject({
      region: 'us-east-1',
      mode: 'read-write',
      backend: 'proxy'
    });
    expect(form.node.querySelectorAll('.jp-mod-error')).toHaveLength(0);
    // but the values are not valid yet
    expect(Object.keys(form.errors)).toEqual(
      expect.arrayContaining([
        'name',
        'endpoint',
        'bucket',
        'access_key_id',
        'secret_access_key'
      ])
    );
  });

  it('marks a field as soon as it is typed wrong, and clears it once fixed', () => {
    form = new ConnectorForm({ trans, defaults, allowDirect: true });
    Widget.attach(form, document.body);
    type(form, 'name', '1Bad_Name');
    expect(errorOf(form, 'name')).toContain('lowercase');
    expect(form.node.querySelector('[name="name"]')!.classList).toContain(
      'jp-mod-error'
    );
    type(form, 'name', 'good-name');
    expect(errorOf(form, 'name')).toBe('');
    expect(form.node.querySelector('[name="name"]')!.classList).not.toContain(
      'jp-mod-error'
    );
  });

  it('shows errors given by the server at once, until the field changes', () => {
    form = new ConnectorForm({
      trans,
      defaults,
      allowDirect: true,
      errors: { name: "A connector named 'x' already exists." }
    });
    Widget.attach(form, document.body);
    expect(errorOf(form, 'name')).toContain('already exists');
    type(form, 'name', 'other');
    expect(errorOf(form, 'name')).toBe('');
  });

  it('never shows the stored secret and keeps it when left empty', () => {
    const connector: IConnector = {
      id: 'abc',
      name: 'data',
      description: 'd',
      endpoint: 'http://127.0.0.1:9000',
      region: 'us-east-1',
      bucket: 'bucket',
      prefix: '',
      access_key_id: 'key',
      mode: 'read-only',
      backend: 'proxy',
      has_secret: true,
      creator: 'me',
      created_at: '2026-01-01T00:00:00Z',
      updated_at: '2026-01-01T00:00:00Z',
      active: false
    };
    form = new ConnectorForm({ trans, defaults, allowDirect: true, connector });
    Widget.attach(form, document.body);
    const secret = form.node.querySelector(
      '[name="secret_access_key"]'
    ) as HTMLInputElement;
    expect(secret.type).toBe('password');
    expect(secret.value).toBe('');
    expect(secret.placeholder).toContain('Leave empty to keep');
    expect(form.getValue()).toMatchObject({
      name: 'data',
      mode: 'read-only',
      secret_access_key: ''
    });
    expect(form.errors).toEqual({});
  });

  it('offers the direct backend only when the server allows it', () => {
    form = new ConnectorForm({ trans, defaults, allowDirect: false });
    const options = [
      ...form.node.querySelectorAll('[name="backend"] option')
    ].map(o => (o as HTMLOptionElement).value);
    expect(options).toEqual(['proxy']);
  });
});
