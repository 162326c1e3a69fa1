import { ConnectorsModel } from '../../connectors/model';
import { IConnectorInput } from '../../connectors/types';
import { ServerExtensionMissingError } from '../../requests';
import { IConnectorsModel } from '../../tokens';
import { FakeAPI } from './fakeApi';

const input = (name: string): IConnectorInput => ({
  name,
  description: '',
  endpoint: 'http://127.0.0.1:9000',
  region: 'us-east-1',
  bucket: 'data',
  prefix: '',
  access_key_id: 'key',
  secret_access_key: 'top-secret',
  mode: 'read-write',
  backend: 'proxy'
});

describe('ConnectorsModel', () => {
  let api: FakeAPI;
  let model: ConnectorsModel;

  beforeEach(() => {
    api = new FakeAPI();
    model = new ConnectorsModel({ requester: api.requester });
  });

  afterEach(() => model.dispose());

  it('loads the list, sorted by name, and reports readiness', async () => {
    await model.create(input('zeta'));
    await model.create(input('alpha'));
    const fresh = new ConnectorsModel({ requester: api.requester });
    expect(fresh.status).toBe('loading');
    await fresh.refresh();
    expect(fresh.status).toBe('ready');
    expect(fresh.connectors.map(c => c.name)).toEqual(['alpha', 'zeta']);
    expect(fresh.serverInfo?.allow_direct_backend).toBe(true);
    fresh.dispose();
  });

  it('says when the server extension is missing', async () => {
    api.missing = true;
    await expect(model.refresh()).rejects.toBeInstanceOf(
      ServerExtensionMissingError
    );
    expect(model.status).toBe('missing-server');
    expect(model.error).toContain('jupyter server extension enable');
  });

  it('creates a connector, selects it and emits changed', async () => {
    let changes = 0;
    model.changed.connect(() => changes++);
    const created = await model.create(input('data'));
    expect(model.connectors).toEqual([created]);
    expect(model.selectedId).toBe(created.id);
    expect(changes).toBe(1);
    expect(created).not.toHaveProperty('secret_access_key');
  });

  it('keeps the stored secret when an update leaves it empty', async () => {
    const created = await model.create(input('data'));
    await model.update(created.id, {
      ...input('data'),
      secret_access_key: '',
      description: 'new'
    });
    const patch = api.calls[api.calls.length - 1];
    expect(patch.method).toBe('PATCH');
    expect(patch.body).not.toHaveProperty('secret_access_key');
    expect(model.find(created.id)?.description).toBe('new');
  });

  it('sends a new secret when one is typed', async () => {
    const created = await model.create(input('data'));
    await model.update(created.id, { secret_access_key: 'rotated' });
    expect(api.calls[api.calls.length - 1].body.secret_access_key).toBe(
      'rotated'
    );
  });

  it('announces activation and deactivation', async () => {
    const created = await model.create(input('data'));
    const seen: IConnectorsModel.IActiveChange[] = [];
    model.activeChanged.connect((_, change) => seen.push(change));
    await model.activate(created.id);
    expect(model.find('data')?.active).toBe(true);
    await model.deactivate(created.id);
    expect(seen.map(s => s.active)).toEqual([true, false]);
  });

  it('passes the server refusal to delete an active connector', async () => {
    const created = await model.create(input('data'));
    await model.activate(created.id);
    await expect(model.remove(created.id)).rejects.toMatchObject({
      status: 409
    });
    expect(model.connectors).toHaveLength(1);
    await model.deactivate(created.id);
    await model.remove(created.id);
    expect(model.connectors).toHaveLength(0);
    expect(model.selectedId).toBeNull();
  });

  it('passes field errors from the server', async () => {
    await model.create(input('data'));
    await expect(model.create(input('data'))).rejects.toMatchObject({
      status: 409,
      fieldErrors: { name: expect.stringContaining('already exists') }
    });
  });

  it('remembers the last test and whether one is running', async () => {
    const created = await model.create(input('data'));
    const running = model.test(created.id);
    expect(model.isTesting(created.id)).toBe(true);
    const result = await running;
    expect(model.isTesting(created.id)).toBe(false);
    expect(result.ok).toBe(true);
    expect(model.lastTest(created.id)?.message).toContain("'data'");
  });

  it('finds connectors by ID or by name', async () => {
    const created = await model.create(input('data'));
    expect(model.find(created.id)).toBe(model.find('data'));
    expect(model.find('nothing')).toBeUndefined();
  });

  it("remembers whether a connector's server checks write conditions", async () => {
    const created = await model.create(input('checks'));
    expect(model.writeChecks(created.id)).toBeUndefined();
    let changes = 0;
    model.changed.connect(() => {
      changes += 1;
    });
    model.setWriteChecks(created.id, 'ignored');
    model.setWriteChecks(created.id, 'ignored');
    expect(model.writeChecks(created.id)).toBe('ignored');
    expect(changes).toBe(1);
  });

  it('lists published connectors beside the own ones, and publishes and unpublishes', async () => {
    api.catalogs = [
      {
        name: 'team',
        title: 'Team',
        read_only: false,
        unavailable: null,
        cannot_publish: null,
        problems: [],
        connectors: []
      }
    ];
    await model.refresh();
    const own = await model.create(input('shared'));
    expect(model.publications(own.id)).toEqual([]);

    const copy = await model.publish(own.id, 'team');
    expect(copy.id).toBe(`team.${own.id}`);
    expect(model.publications(own.id)).toEqual(['team']);
    expect(model.connectors.map(c => c.id).sort()).toEqual(
      [own.id, copy.id].sort()
    );
    // The user's own connector is found by name before the published copy.
    expect(model.find('shared')?.id).toBe(own.id);

    const changes: boolean[] = [];
    model.activeChanged.connect((_, change) => changes.push(change.active));
    await model.activate(copy.id);
    expect(model.find(copy.id)?.active).toBe(true);
    expect(model.catalogs[0].connectors[0].active).toBe(true);
    expect(changes).toEqual([true]);

    await model.unpublish(own.id, 'team');
    expect(model.publications(own.id)).toEqual([]);
    expect(model.find(copy.id)).toBeUndefined();
    // The active copy is gone: its drive must go too.
    expect(changes).toEqual([true, false]);
  });

  it('takes the permissions from the server, all allowed until known', async () => {
    expect(model.permissions).toEqual({
      read: true,
      write: true,
      execute: true
    });
    api.permissions = { read: true, write: false, execute: true };
    await model.refresh();
    expect(model.permissions.write).toBe(false);
  });
});
