import { nullTranslator } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';
import * as React from 'react';

import { ConnectorDetails } from '../../components/ConnectorDetails';
import { ICatalog, IConnector, IPermissions } from '../../connectors/types';

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

const actions = {
  toggleActive: jest.fn(),
  browse: jest.fn(),
  edit: jest.fn(),
  test: jest.fn(),
  remove: jest.fn(),
  remount: jest.fn(),
  publish: jest.fn(),
  unpublish: jest.fn()
};

async function render(
  writeChecks?: 'honoured' | 'ignored',
  options: {
    shown?: IConnector;
    catalogs?: ICatalog[];
    permissions?: IPermissions;
  } = {}
): Promise<HTMLElement> {
  const widget = ReactWidget.create(
    <ConnectorDetails
      connector={options.shown ?? connector}
      test={undefined}
      testing={false}
      writeChecks={writeChecks}
      actions={actions}
      catalogs={options.catalogs}
      permissions={options.permissions}
      trans={nullTranslator.load('jupyterlab_s3_connectors')}
    />
  );
  Widget.attach(widget, document.body);
  await widget.renderPromise;
  return widget.node;
}

function buttons(node: HTMLElement): string[] {
  return [...node.querySelectorAll('button')].map(b => b.textContent ?? '');
}

const published: IConnector = {
  ...connector,
  id: 'team.id-1',
  active: false,
  catalog: 'team',
  published_by: 'alice',
  published_at: '2022-07-18T15:00:00Z',
  editable: false,
  can_unpublish: false
};

function catalog(overrides: Partial<ICatalog> = {}): ICatalog {
  return {
    name: 'team',
    title: 'Team',
    read_only: false,
    unavailable: null,
    cannot_publish: null,
    problems: [],
    connectors: [],
    ...overrides
  };
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

  it("offers a published connector's members Activate and Test, never Edit or Delete", async () => {
    const node = await render(undefined, { shown: published });
    expect(buttons(node)).toEqual(['Activate', 'Test connection']);
    expect(
      node.querySelector('dd[data-field="published_by"]')?.textContent
    ).toBe('alice');
    expect(
      node.querySelector('dd[data-field="published_at"]')?.textContent
    ).toBe('July 18, 2022, 15:00');
    expect(node.querySelector('.jp-S3Connectors-access')).toBeNull();
  });

  it('offers its publisher Unpublish on the published copy', async () => {
    actions.unpublish.mockClear();
    const node = await render(undefined, {
      shown: { ...published, can_unpublish: true }
    });
    const unpublish = [...node.querySelectorAll('button')].find(
      b => b.textContent === 'Unpublish'
    )!;
    unpublish.click();
    expect(actions.unpublish).toHaveBeenCalledWith(
      expect.objectContaining({ id: 'team.id-1' }),
      'team'
    );
  });

  it('shows where a connector is published in its Access section', async () => {
    actions.publish.mockClear();
    const node = await render(undefined, {
      catalogs: [
        catalog(),
        catalog({
          name: 'other',
          title: 'Other',
          connectors: [{ ...published, id: 'other.id-1', catalog: 'other' }]
        }),
        catalog({ name: 'admin', title: 'IT', read_only: true })
      ]
    });
    const access = node.querySelector('.jp-S3Connectors-access')!;
    const rows = [...access.querySelectorAll('li')];
    expect(rows.map(r => r.dataset.catalog)).toEqual(['team', 'other']);
    expect(rows[0].textContent).toContain('Not published in Team');
    expect(rows[1].textContent).toContain(
      'Published in Other by alice, July 18, 2022, 15:00 (UTC)'
    );
    rows[0].querySelector('button')!.click();
    expect(actions.publish).toHaveBeenCalledWith(connector, 'team');
  });

  it('says why a catalog cannot be published to, and disables the button', async () => {
    const reason =
      'You may not publish to catalog team: ask its administrator.';
    const node = await render(undefined, {
      catalogs: [catalog({ cannot_publish: reason })]
    });
    const row = node.querySelector('.jp-S3Connectors-access li')!;
    expect(row.querySelector('button')!.disabled).toBe(true);
    expect(row.querySelector('[role="note"]')?.textContent).toBe(reason);
  });

  it('hides what the authorizer does not allow', async () => {
    const readOnly = await render(undefined, {
      permissions: { read: true, write: false, execute: true }
    });
    expect(buttons(readOnly)).toEqual([
      'Deactivate',
      'Browse files',
      'Test connection'
    ]);
    const noUse = await render(undefined, {
      permissions: { read: true, write: true, execute: false }
    });
    expect(buttons(noUse)).toEqual(['Edit', 'Delete']);
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
          remount,
          publish: jest.fn(),
          unpublish: jest.fn()
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
