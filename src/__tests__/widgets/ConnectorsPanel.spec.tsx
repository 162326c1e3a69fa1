import { JupyterFrontEnd } from '@jupyterlab/application';
import { nullTranslator } from '@jupyterlab/translation';
import { CommandRegistry } from '@lumino/commands';
import { MessageLoop } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { addCommands, CommandIDs } from '../../commands';
import { ConnectorsModel } from '../../connectors/model';
import { ConnectorsPanel } from '../../widgets/ConnectorsPanel';
import { FakeAPI } from '../connectors/fakeApi';

/** Let React render what Lumino asked for. */
async function rendered(): Promise<void> {
  MessageLoop.flush();
  await new Promise(resolve => setTimeout(resolve, 0));
}

/** Wait (at most 2 s) until React has rendered `expected`. */
async function renders<T>(value: () => T, expected: T): Promise<void> {
  for (let waited = 0; value() !== expected && waited < 2000; waited += 10) {
    await new Promise(resolve => setTimeout(resolve, 10));
  }
  expect(value()).toBe(expected);
}

describe('ConnectorsPanel', () => {
  let api: FakeAPI;
  let model: ConnectorsModel;
  let commands: CommandRegistry;
  let panel: ConnectorsPanel;

  /** The panel on a server that gives the user `permissions`, before it answers. */
  async function open(permissions: FakeAPI['permissions']): Promise<void> {
    api = new FakeAPI();
    api.permissions = permissions;
    model = new ConnectorsModel({ requester: api.requester });
    commands = new CommandRegistry();
    const app = {
      commands,
      shell: { activateById: () => undefined }
    } as unknown as JupyterFrontEnd;
    const trans = nullTranslator.load('jupyterlab_s3_connectors');
    addCommands(app, model, {
      trans,
      defaults: () => ({}) as any,
      panelId: 'jp-S3Connectors-panel'
    });
    panel = new ConnectorsPanel({ commands, model, trans });
    Widget.attach(panel, document.body);
    await rendered();
  }

  afterEach(() => {
    panel.dispose();
    model.dispose();
  });

  /** The toolbar's "+" button. */
  const newButton = () =>
    panel.toolbar.node.querySelector<HTMLElement>(
      `[data-command="${CommandIDs.create}"]`
    )!;
  const disabled = () => newButton().getAttribute('aria-disabled');

  it('offers "New" to whom may change connectors', async () => {
    await open({ read: true, write: true, execute: true });
    await model.refresh();
    await rendered();
    expect(commands.isEnabled(CommandIDs.create)).toBe(true);
    expect(commands.isEnabled(CommandIDs.edit, { id: 'any' })).toBe(true);
    expect(commands.isEnabled(CommandIDs.remove, { id: 'any' })).toBe(true);
    expect(disabled()).toBe('false');
    expect(newButton().title).toBe('Create a connector to an S3 bucket');
  });

  it('disables "New", "Edit" and "Delete" for whom may not, and says why', async () => {
    await open({ read: true, write: false, execute: true });
    // Allowed until the server has said otherwise.
    expect(disabled()).toBe('false');
    await model.refresh();
    await rendered();
    expect(commands.isEnabled(CommandIDs.create)).toBe(false);
    expect(commands.isEnabled(CommandIDs.edit, { id: 'any' })).toBe(false);
    expect(commands.isEnabled(CommandIDs.remove, { id: 'any' })).toBe(false);
    await renders(disabled, 'true');
    expect(newButton().title).toMatch(/may not create connectors/);
  });
});
