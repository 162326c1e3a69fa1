import {
  bucketTarget,
  codeSnippet,
  mountedTarget,
  pandasReader,
  pythonString
} from '../../bucket/snippets';

const proxy = (key: string) => ({ name: 'demo', key, backend: 'proxy' });

/** What Python makes of a string literal, for the escapes the builder uses. */
function parsePython(literal: string): string {
  expect(literal.startsWith('"') && literal.endsWith('"')).toBe(true);
  return literal
    .slice(1, -1)
    .replace(
      /\\(x[0-9a-f]{2}|u[0-9a-f]{4}|[\\"nrt])/g,
      (_: string, escape: string) => {
        switch (escape[0]) {
          case 'x':
          case 'u':
            return String.fromCharCode(parseInt(escape.slice(1), 16));
          case 'n':
            return '\n';
          case 'r':
            return '\r';
          case 't':
            return '\t';
          default:
            return escape;
        }
      }
    );
}

describe('pythonString', () => {
  it.each([
    'data/x.csv',
    'with space/and "quotes".csv',
    "it's.csv",
    'back\\slash\\n.csv',
    'new\nline\r\ttab.csv',
    'nul\u0000 and del\u007f and \u2028.csv',
    'ünïcødé/数据/😀.csv',
    '$& $1 %s {}.csv'
  ])('quotes %j so that Python reads it back', key => {
    const literal = pythonString(key);
    expect(parsePython(literal)).toBe(key);
    // Nothing that would end the literal or the line early.
    expect(literal.slice(1, -1)).not.toMatch(/(^|[^\\])(\\\\)*"/);
    expect(literal).not.toMatch(/[\n\r\u2028\u2029]/);
  });

  it('keeps printable Unicode as it is', () => {
    expect(pythonString('données/é.csv')).toBe('"données/é.csv"');
  });
});

describe('pandasReader', () => {
  it.each([
    ['a/b.csv', 'pd.read_csv(%s)'],
    ['B.CSV', 'pd.read_csv(%s)'],
    ['x.parquet', 'pd.read_parquet(%s)'],
    ['x.json', 'pd.read_json(%s)'],
    ['x.jsonl', 'pd.read_json(%s, lines=True)'],
    ['x.tsv', 'pd.read_csv(%s, sep="\\t")']
  ])('%s is read with %s', (key, reader) => {
    expect(pandasReader(key)).toBe(reader);
  });

  it.each(['x.png', 'csv', '.csv', 'dir.csv/file', 'x.csv.gz'])(
    '%s is not read by pandas',
    key => {
      expect(pandasReader(key)).toBeUndefined();
    }
  );
});

describe('codeSnippet', () => {
  it('reads a CSV through s3c:// with pandas', () => {
    expect(codeSnippet(proxy('data/x.csv'))).toBe(
      'import pandas as pd\n\ndf = pd.read_csv("s3c://demo/data/x.csv")\ndf'
    );
  });

  it('reads Parquet and JSON with their readers', () => {
    expect(codeSnippet(proxy('p/part.parquet'))).toContain(
      'pd.read_parquet("s3c://demo/p/part.parquet")'
    );
    expect(codeSnippet(proxy('x.json'))).toContain(
      'pd.read_json("s3c://demo/x.json")'
    );
  });

  it('opens other files through connector()', () => {
    expect(codeSnippet(proxy('images/cat.png'))).toBe(
      'from jupyterlab_s3_connectors import connector\n\n' +
        'with connector("demo").open("images/cat.png", "rb") as f:\n' +
        '    data = f.read()'
    );
  });

  it('quotes keys with quotes, backslashes, spaces and unicode', () => {
    const snippet = codeSnippet(proxy('a "b"\\c d/é.csv'));
    expect(snippet).toContain(
      'pd.read_csv("s3c://demo/a \\"b\\"\\\\c d/é.csv")'
    );
    expect(codeSnippet(proxy('say "hi".bin'))).toContain(
      '.open("say \\"hi\\".bin", "rb")'
    );
  });

  it('keeps replacement patterns of the key as they are', () => {
    expect(codeSnippet(proxy("$&$'.csv"))).toContain(
      'pd.read_csv("s3c://demo/$&$\'.csv")'
    );
  });

  it('opens keys that fsspec would read as a chain through connector()', () => {
    expect(codeSnippet(proxy('a::b.csv'))).toContain(
      'connector("demo").open("a::b.csv", "rb")'
    );
  });

  it('gives mount backends the local path', () => {
    const csv = { name: 'demo', key: 'data/x.csv', backend: 's3fs' };
    expect(codeSnippet(csv)).toBe(
      'import pandas as pd\n\ndf = pd.read_csv("s3/demo/data/x.csv")\ndf'
    );
    const png = { name: 'demo', key: 'a.png', backend: 'rclone' };
    expect(codeSnippet({ ...png, mountRoot: 'mnt/buckets/' })).toBe(
      'with open("mnt/buckets/demo/a.png", "rb") as f:\n    data = f.read()'
    );
  });
});

describe('bucketTarget', () => {
  const connector = {
    name: 'demo',
    prefix: 'team/data/',
    backend: 'proxy',
    active: true
  };

  it('makes keys relative to the connector folder', () => {
    expect(bucketTarget(connector, 'team/data/x.csv')).toEqual({
      name: 'demo',
      key: 'x.csv',
      backend: 'proxy'
    });
    expect(bucketTarget({ ...connector, prefix: '' }, 'a/b.csv').key).toBe(
      'a/b.csv'
    );
    expect(bucketTarget({ ...connector, prefix: 'team' }, 'team/b').key).toBe(
      'b'
    );
  });
});

describe('mountedTarget', () => {
  const connectors = [
    { name: 'demo', prefix: '', backend: 's3fs', active: true },
    { name: 'off', prefix: '', backend: 'rclone', active: false },
    { name: 'web', prefix: '', backend: 'proxy', active: true }
  ];

  it('finds the connector and key of a file below the mount root', () => {
    expect(mountedTarget('s3/demo/data/x.csv', connectors)).toEqual({
      name: 'demo',
      key: 'data/x.csv',
      backend: 's3fs',
      mountRoot: 's3'
    });
    expect(
      mountedTarget('mnt/demo/x.csv', connectors, '/mnt/')?.mountRoot
    ).toBe('mnt');
  });

  it.each([
    'notebooks/x.csv',
    's3/demo',
    's3/demo/',
    's3/off/x.csv',
    's3/web/x.csv',
    's3/unknown/x.csv',
    's3x/demo/x.csv'
  ])('ignores %s', path => {
    expect(mountedTarget(path, connectors)).toBeUndefined();
  });
});
