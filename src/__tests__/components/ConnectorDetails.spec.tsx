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
    remove: jest.fn()
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
