import { ConnectorsModel } from '../../connectors/model';
import { IConnectorInput } from '../../connectors/types';
import { ConnectorsAPIError } from '../../requests';
import { FakeAPI } from './fakeApi';

const input = (
  name: string,
  backend: IConnectorInput['backend'] = 's3fs'
): IConnectorInput => ({
  name,
  description: '',
  endpoint: 'http://127.0.0.1:9000',
  region: 'us-east-1',
  bucket: 'data',
  prefix: '',
  access_key_id: 'key',
  secret_access_key: 'top-secret',
  mode: 'read-write',
  backend
});

describe('ConnectorsModel with mount backends', () => {
  let api: FakeAPI;
  let model: ConnectorsModel;

  beforeEach(() => {
    api = new FakeAPI();
    model = new ConnectorsModel({ requester: api.requester });
  });

  afterEach(() => model.dispose());

  it('keeps the mount state the server reports', async () => {
    const created = await model.create(input('mounted'));
    expect(created.mount?.state).toBe('unmounted');
    const seen: string[] = [];
    model.changed.connect(() =>
      seen.push(model.find(created.id)?.mount?.state ?? '')
    );
    const active = await model.activate(created.id);
    expect(seen).toEqual(['mounting', 'mounted']);
    expect(active.mount).toEqual({
      state: 'mounted',
      error: null,
      path: 's3/mounted',
      local_path: '/home/jovyan/s3/mounted'
    });
    expect(model.find('mounted')?.mount?.state).toBe('mounted');
  });

  it('rejects a busy deactivation with its code, and forces it when asked', async () => {
    const created = await model.create(input('busy'));
    await model.activate(created.id);
    api.busy.add(created.id);
    const refused = model.deactivate(created.id);
    await expect(refused).rejects.toBeInstanceOf(ConnectorsAPIError);
    await expect(refused).rejects.toMatchObject({
      status: 409,
      code: 'mount.busy'
    });
    expect(model.find(created.id)?.active).toBe(true);

    const forced = await model.deactivate(created.id, { force: true });
    expect(forced?.active).toBe(false);
    expect(forced?.mount?.state).toBe('unmounted');
    expect(api.calls.map(c => c.endpoint)).toContain(
      `connectors/${created.id}/deactivate?force=true`
    );
  });

  it('shows a failed mount after a refused activation, then remounts', async () => {
    const created = await model.create(input('refused'));
    api.mountFailures.set(created.id, 'InvalidAccessKeyId: no such key');
    await expect(model.activate(created.id)).rejects.toMatchObject({
      code: 'mount.failed'
    });
    const failed = model.find(created.id);
    expect(failed?.active).toBe(false);
    expect(failed?.mount?.state).toBe('failed');
    expect(failed?.mount?.error).toBe('InvalidAccessKeyId: no such key');

    api.mountFailures.delete(created.id);
    await model.activate(created.id);
    const remounted = await model.remount(created.id);
    expect(remounted.mount?.state).toBe('mounted');
  });

  it('loads the list again while a mounted connector is active', async () => {
    jest.useFakeTimers();
    try {
      const polling = new ConnectorsModel({
        requester: api.requester,
        mountPollInterval: 1000
      });
      const created = await polling.create(input('watched'));
      await polling.activate(created.id);
      await polling.refresh();
      const before = api.calls.filter(c => c.endpoint === 'connectors').length;
      api.connectors.get(created.id)!.mount!.state = 'lost';
      jest.advanceTimersByTime(1000);
      jest.useRealTimers();
      await new Promise(resolve => setTimeout(resolve, 0));
      expect(
        api.calls.filter(c => c.endpoint === 'connectors').length
      ).toBeGreaterThan(before);
      expect(polling.find(created.id)?.mount?.state).toBe('lost');
      polling.dispose();
    } finally {
      jest.useRealTimers();
    }
  });

  it('does not poll for connectors without a mount', async () => {
    jest.useFakeTimers();
    try {
      const quiet = new ConnectorsModel({ requester: api.requester });
      const created = await quiet.create(input('plain', 'proxy'));
      await quiet.activate(created.id);
      await quiet.refresh();
      expect(created.mount).toBeUndefined();
      expect(jest.getTimerCount()).toBe(0);
      quiet.dispose();
    } finally {
      jest.useRealTimers();
    }
  });
});
