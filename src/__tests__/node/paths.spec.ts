import base64Cases from '../base64_cases.json';
import {
  Base64Decoders,
  base64DecodedLength,
  base64ToBytes,
  base64ToBytesInto,
  base64ToBytesPortable,
  bytesToBase64,
  bytesToBase64Portable,
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

  /** What a decoder gives: the bytes, or 'invalid'. */
  function decoded(decode: (text: string) => Uint8Array): number[] | string {
    try {
      return [...decode(text0)];
    } catch (error) {
      expect(error).toBeInstanceOf(TypeError);
      return 'invalid';
    }
  }
  let text0 = '';

  /** The platform decoders, each with the portable one behind it. */
  const decoders: [string, (text: string) => Uint8Array][] = [
    ['base64ToBytes', base64ToBytes],
    ['node', t => Base64Decoders.node(t) ?? base64ToBytesPortable(t)],
    ['atob', t => Base64Decoders.atob(t) ?? base64ToBytesPortable(t)],
    ['native', t => Base64Decoders.native(t) ?? base64ToBytesPortable(t)],
    ['into', t => decodedInto(t) ?? base64ToBytesPortable(t)]
  ];

  /** `base64ToBytesInto` on an array of just the room it is said to need. */
  function decodedInto(text: string): Uint8Array | null {
    const target = new Uint8Array(base64DecodedLength(text));
    const written = base64ToBytesInto(text, target);
    return written === null ? null : target.subarray(0, written);
  }

  it('decodes base64 leniently, as it always did', () => {
    const cases = base64Cases.cases.map(
      ({ text, bytes }) => [text, bytes] as [string, number[] | string]
    );
    for (const [name, decode] of decoders) {
      for (const [text, expected] of cases) {
        text0 = text;
        expect([name, text, decoded(decode)]).toEqual([name, text, expected]);
      }
    }
  });

  it('decodes like the portable decoder on any mix of characters', () => {
    const chars = 'AQgw+/-_= \n\t\r\f\v\u00a0\u0141$';
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let i = 0; i < 5000; i++) {
      text0 = Array.from(
        { length: random(14) },
        () => chars[random(chars.length)]
      ).join('');
      const expected = decoded(base64ToBytesPortable);
      for (const [name, decode] of decoders) {
        expect([name, text0, decoded(decode)]).toEqual([name, text0, expected]);
      }
    }
  });

  it('decodes large chunks, with line breaks or not', () => {
    const bytes = Uint8Array.from(
      { length: 3 * 1024 * 1024 + 1 },
      (_, i) => (i * 31 + (i >> 9)) % 256
    );
    const text = Buffer.from(bytes).toString('base64');
    const lines = text.replace(/.{76}/g, '$&\r\n');
    for (const [, decode] of decoders) {
      expect(Buffer.compare(Buffer.from(decode(text)), bytes)).toBe(0);
      expect(Buffer.compare(Buffer.from(decode(lines)), bytes)).toBe(0);
    }
  });

  it('encodes base64 the same on every path', () => {
    const btoa = globalThis.btoa;
    for (const size of [0, 1, 2, 3, 4, 5, 24575, 24576, 24577, 100000]) {
      const bytes = Uint8Array.from({ length: size }, (_, i) => (i * 7) % 256);
      const expected = Buffer.from(bytes).toString('base64');
      expect(bytesToBase64(bytes)).toBe(expected);
      expect(bytesToBase64Portable(bytes)).toBe(expected);
      // A view into a larger buffer.
      const view = new Uint8Array(size + 10).fill(255).subarray(5, 5 + size);
      view.set(bytes);
      expect(bytesToBase64(view)).toBe(expected);
      expect(bytesToBase64Portable(view)).toBe(expected);
      try {
        (globalThis as { btoa?: unknown }).btoa = undefined;
        expect(bytesToBase64Portable(view)).toBe(expected);
      } finally {
        globalThis.btoa = btoa;
      }
    }
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
