import { validateConnector } from '../../connectors/validation';
import { IConnectorInput } from '../../connectors/types';

const valid: IConnectorInput = {
  name: 'my-data',
  description: '',
  endpoint: 'https://s3.example.com',
  region: 'us-east-1',
  bucket: 'my-bucket',
  prefix: '',
  access_key_id: 'AKIAEXAMPLE',
  secret_access_key: 'secret',
  mode: 'read-write',
  backend: 'proxy'
};

function errorsFor(
  change: Partial<IConnectorInput>,
  options: validateConnector.IOptions = { isNew: true }
) {
  return validateConnector({ ...valid, ...change }, options);
}

describe('validateConnector', () => {
  it('accepts a complete connector', () => {
    expect(errorsFor({})).toEqual({});
  });

  it.each([
    ['', 'required'],
    ['a', '2 to 63'],
    ['a'.repeat(64), '2 to 63'],
    ['My-data', 'lowercase'],
    ['my_data', 'lowercase'],
    ['my data', 'lowercase'],
    ['1data', 'Start with a lowercase letter'],
    ['-data', 'Start with a lowercase letter'],
    ['data-', 'end with a hyphen']
  ])('rejects the name %j', (name, message) => {
    const errors = errorsFor({ name });
    expect(Object.keys(errors)).toEqual(['name']);
    expect(errors.name).toContain(message);
  });

  it.each(['ab', 'a1', 'my-data-2', 'a'.repeat(63)])(
    'accepts the name %j',
    name => {
      expect(errorsFor({ name })).toEqual({});
    }
  );

  it.each([
    ['', 'required'],
    ['s3.example.com', 'absolute URL'],
    ['ftp://s3.example.com', 'http:// or https://'],
    ['http://user:pw@s3.example.com', 'user name and password'],
    ['http://s3.example.com/?a=1', 'query'],
    ['http://s3.example.com/#top', 'fragment'],
    ['not a url', 'absolute URL']
  ])('rejects the endpoint %j', (endpoint, message) => {
    const errors = errorsFor({ endpoint });
    expect(Object.keys(errors)).toEqual(['endpoint']);
    expect(errors.endpoint).toContain(message);
  });

  it.each([
    'http://127.0.0.1:9000',
    'https://storage.example.com/s3',
    'http://localhost:5000/'
  ])('accepts the endpoint %j', endpoint => {
    expect(errorsFor({ endpoint })).toEqual({});
  });

  it.each([
    ['', 'required'],
    ['ab', '3 to 63'],
    ['a'.repeat(64), '3 to 63'],
    ['My-Bucket', 'lowercase'],
    ['my_bucket', 'lowercase'],
    ['-bucket', 'begin and end'],
    ['bucket.', 'begin and end'],
    ['my..bucket', 'two dots'],
    ['192.168.1.1', 'IP address']
  ])('rejects the bucket %j', (bucket, message) => {
    const errors = errorsFor({ bucket });
    expect(Object.keys(errors)).toEqual(['bucket']);
    expect(errors.bucket).toContain(message);
  });

  it('rejects unknown modes and backends', () => {
    const errors = errorsFor({
      mode: 'write-only' as IConnectorInput['mode'],
      backend: 'fuse' as IConnectorInput['backend']
    });
    expect(Object.keys(errors).sort()).toEqual(['backend', 'mode']);
  });

  it('rejects the direct backend when the server disables it', () => {
    expect(
      errorsFor({ backend: 'direct' }, { isNew: true, allowDirect: false })
        .backend
    ).toContain('disabled');
    expect(errorsFor({ backend: 'direct' })).toEqual({});
  });

  it('needs a secret for a new connector, not for an edited one', () => {
    expect(errorsFor({ secret_access_key: '' }).secret_access_key).toContain(
      'required'
    );
    expect(errorsFor({ secret_access_key: '' }, { isNew: false })).toEqual({});
  });

  it('checks the folder, region and access key ID', () => {
    const errors = errorsFor({
      prefix: '/data/../x',
      region: 'US East',
      access_key_id: 'has space'
    });
    expect(Object.keys(errors).sort()).toEqual([
      'access_key_id',
      'prefix',
      'region'
    ]);
    expect(errorsFor({ prefix: 'data/2024/' })).toEqual({});
  });

  it('refuses folders the proxy can never serve, as the server does', () => {
    for (const prefix of [
      './x',
      'a/./b',
      'x/.',
      'x/..',
      'a\\b',
      'a\nb',
      'fo\n',
      'tab\there',
      'bad\ud800surrogate'
    ]) {
      expect(errorsFor({ prefix }).prefix).toBeTruthy();
    }
    for (const prefix of ['a//b/', '.hidden/', 'x.y/..z/', 'données/']) {
      expect(errorsFor({ prefix })).toEqual({});
    }
  });

  it('refuses a name or an endpoint with a trailing line break', () => {
    expect(errorsFor({ name: 'fo\n' }).name).toBeTruthy();
    expect(
      errorsFor({ endpoint: 'http://127.0.0.1:9000\n' }).endpoint
    ).toBeTruthy();
    expect(errorsFor({ endpoint: 'http://exämple.com' }).endpoint).toBeTruthy();
  });

  it('reports every invalid field at once', () => {
    const errors = errorsFor({
      name: 'X',
      endpoint: 'nope',
      bucket: 'B',
      access_key_id: '',
      secret_access_key: ''
    });
    expect(Object.keys(errors).sort()).toEqual([
      'access_key_id',
      'bucket',
      'endpoint',
      'name',
      'secret_access_key'
    ]);
  });
});
