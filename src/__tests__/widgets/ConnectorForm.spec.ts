import { nullTranslator } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { IConnector } from '../../connectors/types';
import { IConnectorsModel } from '../../tokens';
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

  it('groups the fields in labelled sections, in keyboard order', () => {
    form = new ConnectorForm({ trans, defaults, allowDirect: true });
    Widget.attach(form, document.body);
    const groups = [...form.node.querySelectorAll('fieldset')].map(
      group => group.querySelector('legend')?.textContent
    );
    expect(groups).toEqual([
      'Connection',
      'Credentials and bucket',
      'Behaviour'
    ]);
    const order = [
      ...form.node.querySelectorAll('input[name], textarea, select[name]')
    ].map(element => element.getAttribute('name'));
    expect(order).toEqual([
      'name',
      'region',
      'description',
      'endpoint',
      'credentials',
      'access_key_id',
      'secret_access_key',
      'bucket',
      'prefix',
      'mode',
      'backend'
    ]);
    for (const element of form.node.querySelectorAll('[name]')) {
      const label = form.node.querySelector(`label[for="${element.id}"]`);
      expect(label?.textContent).toBeTruthy();
    }
  });

  describe('bucket picker', () => {
    function fill(target: ConnectorForm, secret = 's3cr3t'): void {
      type(target, 'endpoint', 'http://127.0.0.1:9000');
      type(target, 'access_key_id', 'AKID');
      type(target, 'secret_access_key', secret);
    }

    function listButton(target: ConnectorForm): HTMLButtonElement {
      return target.node.querySelector(
        '.jp-S3Connectors-listBuckets'
      ) as HTMLButtonElement;
    }

    function status(target: ConnectorForm): string {
      return (
        target.node.querySelector('.jp-S3Connectors-bucketStatus')
          ?.textContent ?? ''
      );
    }

    it('is absent without a way to list buckets', () => {
      form = new ConnectorForm({ trans, defaults, allowDirect: true });
      expect(listButton(form)).toBeNull();
    });

    it('lists the buckets of the typed key and fills the field with the one chosen', async () => {
      const requests: IConnectorsModel.IBucketListRequest[] = [];
      form = new ConnectorForm({
        trans,
        defaults,
        allowDirect: true,
        listBuckets: async request => {
          requests.push(request);
          return {
            ok: true,
            code: 'ok',
            message: '',
            buckets: ['alpha', 'beta']
          };
        }
      });
      Widget.attach(form, document.body);
      fill(form);
      await form.bucketPicker.refresh();
      expect(requests).toEqual([
        {
          endpoint: 'http://127.0.0.1:9000',
          region: 'us-east-1',
          access_key_id: 'AKID',
          secret_access_key: 's3cr3t'
        }
      ]);
      expect(status(form)).toContain('2 buckets found');
      const suggestions = [
        ...form.node.querySelectorAll('datalist option')
      ].map(o => (o as HTMLOptionElement).value);
      expect(suggestions).toEqual(['alpha', 'beta']);
      const box = form.node.querySelector(
        '.jp-S3Connectors-bucketChoices'
      ) as HTMLElement;
      expect(box.hidden).toBe(false);
      const choices = box.querySelector('select') as HTMLSelectElement;
      expect(choices.getAttribute('aria-label')).toBe('Buckets found');
      choices.value = 'beta';
      choices.dispatchEvent(new Event('change', { bubbles: true }));
      expect(form.getValue().bucket).toBe('beta');
      expect(errorOf(form, 'bucket')).toBe('');
      // Typing another name stays possible.
      type(form, 'bucket', 'gamma');
      expect(form.getValue().bucket).toBe('gamma');
    });

    it('asks for the key first and sends nothing while it is missing', async () => {
      let calls = 0;
      form = new ConnectorForm({
        trans,
        defaults,
        allowDirect: true,
        listBuckets: async () => {
          calls++;
          return { ok: true, code: 'ok', message: '', buckets: [] };
        }
      });
      Widget.attach(form, document.body);
      type(form, 'endpoint', 'not a url');
      listButton(form).click();
      await form.bucketPicker.refresh();
      expect(calls).toBe(0);
      expect(status(form)).toContain('Enter a valid endpoint');
      expect(errorOf(form, 'access_key_id')).toContain('required');
      expect(errorOf(form, 'endpoint')).toBeTruthy();
    });

    it('shows why the buckets could not be listed', async () => {
      form = new ConnectorForm({
        trans,
        defaults,
        allowDirect: true,
        listBuckets: async () => ({
          ok: false,
          code: 'unreachable',
          message: 'Could not connect to http://127.0.0.1:9000.',
          buckets: []
        })
      });
      Widget.attach(form, document.body);
      fill(form);
      await form.bucketPicker.refresh();
      expect(status(form)).toBe('Could not connect to http://127.0.0.1:9000.');
      const node = form.node.querySelector('.jp-S3Connectors-bucketStatus')!;
      expect(node.classList).toContain('jp-mod-error');
      expect(node.getAttribute('role')).toBe('status');
    });

    it('uses the stored secret of an edited connector through its ID', async () => {
      const requests: IConnectorsModel.IBucketListRequest[] = [];
      const connector: IConnector = {
        id: 'abc',
        name: 'data',
        description: '',
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
      form = new ConnectorForm({
        trans,
        defaults,
        allowDirect: true,
        connector,
        listBuckets: async request => {
          requests.push(request);
          return { ok: true, code: 'ok', message: '', buckets: ['bucket'] };
        }
      });
      Widget.attach(form, document.body);
      await form.bucketPicker.refresh();
      expect(requests).toEqual([
        {
          endpoint: 'http://127.0.0.1:9000',
          region: 'us-east-1',
          access_key_id: 'key',
          connector_id: 'abc'
        }
      ]);
      expect(status(form)).toContain('1 bucket found');
    });
  });

  it("offers the server's own credentials, and then asks for no key", async () => {
    const form = new ConnectorForm({
      trans: nullTranslator.load('jupyterlab_s3_connectors'),
      defaults: { mode: 'read-write', backend: 'proxy', region: 'us-east-1' },
      allowDirect: true
    });
    const select = form.node.querySelector(
      'select[name="credentials"]'
    ) as HTMLSelectElement;
    const keyField = form.node.querySelector(
      '.jp-S3Connectors-field[data-field="access_key_id"]'
    ) as HTMLElement;
    expect(keyField.hidden).toBe(false);
    select.value = 'server';
    select.dispatchEvent(new Event('change', { bubbles: true }));
    expect(keyField.hidden).toBe(true);
    expect(form.getValue().credentials).toBe('server');
    expect(form.errors.access_key_id).toBeUndefined();
    expect(form.errors.secret_access_key).toBeUndefined();
    const backend = form.node.querySelector(
      'select[name="backend"]'
    ) as HTMLSelectElement;
    backend.value = 'direct';
    backend.dispatchEvent(new Event('change', { bubbles: true }));
    expect(form.errors.credentials).toMatch(/proxy backend only/);
    form.dispose();
  });
});
