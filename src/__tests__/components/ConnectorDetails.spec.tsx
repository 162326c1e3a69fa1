import { nullTranslator } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';
import * as React from 'react';

import { ConnectorDetails } from '../../components/ConnectorDetails';
import { IConnector } from '../../connectors/types';

const connector: IConnector = {
  id: 'id-1',
  name: 'data',
  description: '',
  endpoint: 'http://127.0.0.1:9000',
  region: 'us-east-1',
  bucket: 'bucket',
  prefix: '',
  access_key_id: 'key',
  has_secret: true,
  mode: 'read-write',
  backend: 'proxy',
  creator: 'tester',
  created_at: '2022-07-18T14:23:00Z',
  updated_at: '2022-07-18T14:23:00Z',
  active: true
};

async function render(
  writeChecks?: 'honoured' | 'ignored'
): Promise<HTMLElement> {
  const actions = {
    toggleActive: jest.fn(),
    browse: jest.fn(),
    edit: jest.fn(),
    test: jest.fn(),
    remove: jest.fn(),
    remount: jest.fn()
  };
  const widget = ReactWidget.create(
    <ConnectorDetails
      connector={connector}
      test={undefined}
      testing={false}
      writeChecks={writeChecks}
      actions={actions}
      trans={nullTranslator.load('jupyterlab_s3_connectors')}
    />
  );
  Widget.attach(widget, document.body);
  await widget.renderPromise;
  return widget.node;
}

describe('ConnectorDetails', () => {
  it('says when the S3 server does not check conditional writes', async () => {
    const node = await render('ignored');
    const note = node.querySelector('[data-note="write-checks"]');
    expect(note?.textContent).toMatch(/doesn't check conditional writes/);
  });

  it('says nothing of it when the server checks them or before it is known', async () => {
    for (const checks of ['honoured', undefined] as const) {
      const node = await render(checks);
      expect(node.querySelector('dd[data-field="bucket"]')?.textContent).toBe(
        'bucket'
      );
      expect(node.querySelector('[data-note="write-checks"]')).toBeNull();
    }
  });
});

describe('ConnectorDetails of a mount backend', () => {
  async function renderMount(
    state: 'mounted' | 'lost' | 'failed',
    error: string | null = null
  ): Promise<{ node: HTMLElement; remount: jest.Mock; browse: jest.Mock }> {
    const remount = jest.fn();
    const browse = jest.fn();
    const mounted: IConnector = {
      ...connector,
      backend: 's3fs',
      mount: {
        state,
        error,
        path: 's3/data',
        local_path: '/home/jovyan/s3/data'
      }
    };
    const widget = ReactWidget.create(
      <ConnectorDetails
        connector={mounted}
        test={undefined}
        testing={false}
        actions={{
          toggleActive: jest.fn(),
          browse,
          edit: jest.fn(),
          test: jest.fn(),
          remove: jest.fn(),
          remount
        }}
        trans={nullTranslator.load('jupyterlab_s3_connectors')}
      />
    );
    Widget.attach(widget, document.body);
    await widget.renderPromise;
    return { node: widget.node, remount, browse };
  }

  it('shows where it is mounted and lets the user browse it', async () => {
    const { node, browse } = await renderMount('mounted');
    const mount = node.querySelector('[data-mount-state]');
    expect(mount?.textContent).toBe('Mount: mounted at s3/data/');
    expect(node.querySelector('dd[data-field="backend"]')?.textContent).toBe(
      's3fs (mounted)'
    );
    expect(node.querySelector('[data-action="remount"]')).toBeNull();
    const buttons = [...node.querySelectorAll('button')];
    buttons.find(b => b.textContent === 'Browse files')!.click();
    expect(browse).toHaveBeenCalled();
  });

  it("shows a lost mount with the tool's words and offers Remount", async () => {
    const { node, remount } = await renderMount(
      'lost',
      's3fs stopped (exit code -9).'
    );
    expect(node.querySelector('[data-mount-state]')?.textContent).toContain(
      'The mount tool stopped: s3fs stopped (exit code -9).'
    );
    const buttons = [...node.querySelectorAll('button')];
    expect(buttons.some(b => b.textContent === 'Browse files')).toBe(false);
    (node.querySelector('[data-action="remount"]') as HTMLElement).click();
    expect(remount).toHaveBeenCalled();
  });

  it('shows a failed mount', async () => {
    const { node } = await renderMount(
      'failed',
      'InvalidAccessKeyId: The AWS Access Key Id you provided does not exist.'
    );
    expect(node.querySelector('[data-mount-state]')?.textContent).toContain(
      'The mount tool said: InvalidAccessKeyId'
    );
  });
});
