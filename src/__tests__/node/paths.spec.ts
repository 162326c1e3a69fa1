import {
  base64ToBytes,
  bytesToBase64,
  checkpointKey,
  decodeSegment,
  defaultFileType,
  encodeSegment,
  InvalidPathError,
  keyToPath,
  normalizePrefix,
  RESERVED,
  resolvePath,
  safeEndpoint,
  rewriteProxyHeaders,
  splitName
} from '../../drive';
import { copyName, untitledName } from '../../drive/naming';

describe('paths', () => {
  it('normalizes prefixes', () => {
    expect(normalizePrefix('')).toBe('');
    expect(normalizePrefix('/')).toBe('');
    expect(normalizePrefix('data')).toBe('data/');
    expect(normalizePrefix('/data/sub/')).toBe('data/sub/');
  });

  it('maps paths to keys below the prefix', () => {
    expect(resolvePath('p/', '')).toMatchObject({
      key: 'p/',
      folderKey: 'p/',
      isRoot: true
    });
    expect(resolvePath('p/', 'a/b.txt')).toMatchObject({
      path: 'a/b.txt',
      key: 'p/a/b.txt',
      folderKey: 'p/a/b.txt/',
      isRoot: false,
      shadowed: false
    });
    // JupyterLab's normalization: slashes and "." are dropped.
    expect(resolvePath('', '/a//./b/').key).toBe('a/b');
    expect(resolvePath('', '.').isRoot).toBe(true);
  });

  it('keeps every character of a key', () => {
    for (const key of ['sp ace', 'é/漢字.txt', 'p+%#?&=.csv', 'a\\b', 'x:y']) {
      const path = keyToPath('', key);
      expect(path).toBe(key);
      expect(resolvePath('', path).key).toBe(key);
    }
  });

  it('encodes segments JupyterLab cannot hold, reversibly', () => {
    const odd = [
      'a//b',
      'dir/',
      '/lead',
      'a/./b',
      'a/../b',
      `${RESERVED}x/y`,
      `${RESERVED}/${RESERVED}${RESERVED}`,
      `${RESERVED}=z`,
      '//'
    ];
    for (const key of odd) {
      const path = keyToPath('pre/', 'pre/' + key);
      expect(
        path.split('/').every(s => s !== '' && s !== '.' && s !== '..')
      ).toBe(true);
      expect(resolvePath('pre/', path).key).toBe('pre/' + key);
    }
    expect(keyToPath('', 'a//b')).toBe(`a/${RESERVED}/b`);
    expect(keyToPath('', 'dir/')).toBe(`dir/${RESERVED}`);
    expect(encodeSegment('..')).toBe(`${RESERVED}..`);
  });

  it('marks an object shadowed by a folder', () => {
    const resolved = resolvePath('', `dir/${RESERVED}=x`);
    expect(resolved).toMatchObject({ key: 'dir/x', shadowed: true });
    expect(decodeSegment(`${RESERVED}=`)).toEqual({
      segment: '',
      shadowed: true
    });
    expect(() => resolvePath('', `${RESERVED}=x/y`)).toThrow(InvalidPathError);
  });

  it('refuses reserved and escaping paths', () => {
    expect(() => resolvePath('', `${RESERVED}abc`)).toThrow(InvalidPathError);
    expect(() => resolvePath('', 'a/../../b')).toThrow(InvalidPathError);
    expect(() => keyToPath('p/', 'q/x')).toThrow(InvalidPathError);
  });

  it('puts checkpoints where Jupyter server does', () => {
    expect(checkpointKey('a/b/nb.ipynb')).toBe(
      'a/b/.ipynb_checkpoints/nb-checkpoint.ipynb'
    );
    expect(checkpointKey('x')).toBe('.ipynb_checkpoints/x-checkpoint');
    expect(checkpointKey('d/.env')).toBe(
      'd/.ipynb_checkpoints/.env-checkpoint'
    );
  });
});

describe('naming', () => {
  it('splits names like Jupyter server', () => {
    expect(splitName('a.tar.gz')).toEqual({ base: 'a', suffix: '.tar.gz' });
    expect(splitName('x.y.ipynb')).toEqual({ base: 'x.y', suffix: '.ipynb' });
    expect(splitName('README')).toEqual({ base: 'README', suffix: '' });
  });

  it('names untitled items like Jupyter server', () => {
    const none = new Set<string>();
    expect(untitledName('notebook', '', none)).toBe('Untitled.ipynb');
    expect(untitledName('notebook', '', new Set(['Untitled.ipynb']))).toBe(
      'Untitled1.ipynb'
    );
    expect(untitledName('file', 'txt', none)).toBe('untitled.txt');
    expect(
      untitledName('file', '.md', new Set(['untitled.md', 'untitled1.md']))
    ).toBe('untitled2.md');
    expect(untitledName('directory', '', none)).toBe('Untitled Folder');
    expect(untitledName('directory', '', new Set(['Untitled Folder']))).toBe(
      'Untitled Folder 1'
    );
  });

  it('names copies like Jupyter server', () => {
    expect(copyName('a.txt', new Set())).toBe('a.txt');
    expect(copyName('a.txt', new Set(['a.txt']))).toBe('a-Copy1.txt');
    expect(copyName('a-Copy1.txt', new Set(['a.txt', 'a-Copy1.txt']))).toBe(
      'a-Copy2.txt'
    );
    expect(copyName('nb.ipynb', new Set(['nb.ipynb']))).toBe('nb-Copy1.ipynb');
  });
});

describe('content', () => {
  it('round-trips base64', () => {
    for (const size of [0, 1, 2, 3, 4, 5, 12289, 100000]) {
      const bytes = Uint8Array.from({ length: size }, (_, i) => (i * 7) % 256);
      const text = bytesToBase64(bytes);
      expect(text).toBe(Buffer.from(bytes).toString('base64'));
      expect(Buffer.from(base64ToBytes(text))).toEqual(Buffer.from(bytes));
    }
    expect(() => base64ToBytes('ab$c')).toThrow();
  });

  it('has default file types', () => {
    expect(defaultFileType('a/b.ipynb')).toMatchObject({
      type: 'notebook',
      format: 'json'
    });
    expect(defaultFileType('data.CSV')).toMatchObject({
      type: 'file',
      format: 'text',
      mimetype: 'text/csv'
    });
    expect(defaultFileType('img.png')).toMatchObject({
      format: 'base64',
      mimetype: 'image/png'
    });
    expect(defaultFileType('blob')).toMatchObject({ format: 'base64' });
  });
});

describe('transport helpers', () => {
  it('rewrites the proxy headers', () => {
    const headers: Record<string, string> = {
      authorization: 'AWS4-HMAC-SHA256 Credential=…',
      'x-amz-date': '20260101T000000Z',
      'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
      'x-amz-security-token': 't',
      'content-type': 'text/plain'
    };
    rewriteProxyHeaders(headers, 'secret-token', name =>
      name === '_xsrf' ? 'xsrf-value' : undefined
    );
    expect(headers).toEqual({
      authorization: 'token secret-token',
      'x-xsrftoken': 'xsrf-value',
      'content-type': 'text/plain'
    });
    const noToken: Record<string, string> = { Authorization: 'AWS4…' };
    rewriteProxyHeaders(noToken, '', () => undefined);
    expect(noToken).toEqual({});
  });

  it('never shows user-info in an endpoint', () => {
    expect(safeEndpoint('http://user:pw@host:9000/base?x=1')).toBe(
      'http://host:9000/base'
    );
  });
});
