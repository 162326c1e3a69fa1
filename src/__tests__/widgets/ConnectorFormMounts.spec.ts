import { nullTranslator } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { IConnector, IMountsInfo } from '../../connectors/types';
import { ConnectorForm } from '../../widgets/ConnectorForm';

const trans = nullTranslator.load('jupyterlab_s3_connectors');
const defaults = {
  mode: 'read-write' as const,
  backend: 'proxy' as const,
  region: 'us-east-1'
};

const NO_S3FS =
  "The s3fs backend needs the 's3fs' command, which is not installed on the Jupyter server (Debian/Ubuntu: apt-get install s3fs).";

function mounts(s3fsProblem = ''): IMountsInfo {
  return {
    mount_root: 's3',
    fuse: { usable: true, problem: '' },
    tools: {
      s3fs: { installed: !s3fsProblem },
      rclone: { installed: true },
      fusermount3: { installed: true }
    },
    backends: {
      s3fs: { available: !s3fsProblem, problem: s3fsProblem },
      rclone: { available: true, problem: '' }
    }
  };
}

function backendOptions(form: ConnectorForm): [string, boolean][] {
  const select = form.node.querySelector(
    '[name="backend"]'
  ) as HTMLSelectElement;
  return [...select.options].map(o => [o.value, o.disabled]);
}

function choose(form: ConnectorForm, name: string, value: string): void {
  const input = form.node.querySelector(`[name="${name}"]`) as
    HTMLInputElement | HTMLSelectElement;
  input.value = value;
  input.dispatchEvent(new Event('change', { bubbles: true }));
}

describe('ConnectorForm and the mount backends', () => {
  let form: ConnectorForm;

  afterEach(() => form.dispose());

  it('offers s3fs and rclone when the server can mount, and says where', () => {
    form = new ConnectorForm({
      trans,
      defaults,
      allowDirect: true,
      mounts: mounts()
    });
    Widget.attach(form, document.body);
    expect(backendOptions(form)).toEqual([
      ['proxy', false],
      ['direct', false],
      ['s3fs', false],
      ['rclone', false]
    ]);
    const note = form.node.querySelector('[data-note="mount"]') as HTMLElement;
    expect(note.hidden).toBe(true);
    choose(form, 'name', 'sales');
    choose(form, 'backend', 'rclone');
    expect(note.hidden).toBe(false);
    expect(note.textContent).toContain('s3/sales/');
    expect(form.errors.backend).toBeUndefined();
  });

  it("disables a backend that cannot work here and gives the server's reason", () => {
    form = new ConnectorForm({
      trans,
      defaults,
      allowDirect: true,
      mounts: mounts(NO_S3FS)
    });
    Widget.attach(form, document.body);
    expect(backendOptions(form)).toContainEqual(['s3fs', true]);
    expect(backendOptions(form)).toContainEqual(['rclone', false]);
    const why = form.node.querySelector('[data-note="unavailable-backends"]');
    expect(why?.textContent).toBe(NO_S3FS);
  });

  it('keeps the backend of a connector being edited even if it is unavailable', () => {
    const connector = {
      id: 'id-1',
      name: 'old',
      description: '',
      endpoint: 'https://s3.example.com',
      region: 'us-east-1',
      bucket: 'bucket',
      prefix: '',
      access_key_id: 'key',
      has_secret: true,
      mode: 'read-write',
      backend: 's3fs',
      creator: 'tester',
      created_at: '2022-07-18T14:23:00Z',
      updated_at: '2022-07-18T14:23:00Z',
      active: false
    } as IConnector;
    form = new ConnectorForm({
      trans,
      defaults,
      allowDirect: true,
      connector,
      mounts: mounts(NO_S3FS)
    });
    Widget.attach(form, document.body);
    expect(backendOptions(form)).toContainEqual(['s3fs', false]);
    expect(form.getValue().backend).toBe('s3fs');
    expect(form.errors.backend).toBeUndefined();
  });

  it('offers no mount backend to a server without them', () => {
    form = new ConnectorForm({ trans, defaults, allowDirect: false });
    Widget.attach(form, document.body);
    expect(backendOptions(form)).toEqual([['proxy', false]]);
  });
});
