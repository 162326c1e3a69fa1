/**
 * The Python code that reads an object of a connector's bucket from a
 * notebook, for "Copy Code Snippet".
 *
 * | object                       | `proxy`, `direct` backends                | mount backends (`s3fs`, `rclone`) |
 * | ---------------------------- | ----------------------------------------- | --------------------------------- |
 * | `.csv` `.tsv` `.parquet` `.json` `.jsonl` | `pd.read_csv("s3c://<name>/<key>")`… | `pd.read_csv("s3/<name>/<key>")`… |
 * | anything else                | `with connector("<name>").open("<key>", "rb") as f:` | `with open("s3/<name>/<key>", "rb") as f:` |
 *
 * Keys are relative to the connector's folder, as the kernel API takes them.
 * A key that an `s3c://` URL cannot carry (fsspec reads `::` as a chain of
 * protocols) is opened through `connector(...)` instead.
 */

/** The backends that mount the bucket as files under the mount root. */
export const MOUNT_BACKENDS: readonly string[] = ['s3fs', 'rclone'];

/** Where the main file browser shows mounted buckets, by default. */
export const DEFAULT_MOUNT_ROOT = 's3';

/** The object a snippet reads. */
export interface ISnippetTarget {
  /** The connector's name (what `s3c://` URLs and `connector()` take). */
  name: string;
  /** The object's key below the connector's folder. */
  key: string;
  /** The connector's backend. */
  backend: string;
  /** The mount root as the main file browser shows it (mount backends). */
  mountRoot?: string;
}

/** The pandas readers, by file extension (lower case). */
const PANDAS_READERS: Record<string, string> = {
  '.csv': 'pd.read_csv(%s)',
  '.tsv': 'pd.read_csv(%s, sep="\\t")',
  '.parquet': 'pd.read_parquet(%s)',
  '.json': 'pd.read_json(%s)',
  '.jsonl': 'pd.read_json(%s, lines=True)'
};

/**
 * A Python string literal of `text`: double quotes, with backslashes, quotes
 * and control or line-separator characters escaped; other Unicode is kept.
 */
export function pythonString(text: string): string {
  const escaped = text.replace(
    // eslint-disable-next-line no-control-regex
    /[\\"\u0000-\u001f\u007f-\u009f\u2028\u2029]/g,
    char => {
      switch (char) {
        case '\\':
          return '\\\\';
        case '"':
          return '\\"';
        case '\n':
          return '\\n';
        case '\r':
          return '\\r';
        case '\t':
          return '\\t';
        default: {
          const code = char.charCodeAt(0);
          return code < 0x100
            ? '\\x' + code.toString(16).padStart(2, '0')
            : '\\u' + code.toString(16).padStart(4, '0');
        }
      }
    }
  );
  return `"${escaped}"`;
}

/** The pandas call template for the key's extension, if pandas reads it. */
export function pandasReader(key: string): string | undefined {
  const name = key.slice(key.lastIndexOf('/') + 1).toLowerCase();
  const dot = name.lastIndexOf('.');
  return dot > 0 ? PANDAS_READERS[name.slice(dot)] : undefined;
}

/** The Python code that reads `target` in a notebook. */
export function codeSnippet(target: ISnippetTarget): string {
  const reader = pandasReader(target.key);
  if (MOUNT_BACKENDS.includes(target.backend)) {
    const root = (target.mountRoot ?? DEFAULT_MOUNT_ROOT).replace(/\/+$/, '');
    const path = pythonString(
      `${root ? root + '/' : ''}${target.name}/${target.key}`
    );
    return reader
      ? `import pandas as pd\n\ndf = ${reader.replace('%s', () => path)}\ndf`
      : `with open(${path}, "rb") as f:\n    data = f.read()`;
  }
  if (reader && !target.key.includes('::')) {
    const url = pythonString(`s3c://${target.name}/${target.key}`);
    return `import pandas as pd\n\ndf = ${reader.replace('%s', () => url)}\ndf`;
  }
  return (
    'from jupyterlab_s3_connectors import connector\n\n' +
    `with connector(${pythonString(target.name)}).open(${pythonString(target.key)}, "rb") as f:\n` +
    '    data = f.read()'
  );
}

/** A connector as the snippet needs it. */
export interface ISnippetConnector {
  name: string;
  prefix: string;
  backend: string;
  active: boolean;
}

/**
 * The target of an object of a bucket browser, from its full key: the key
 * loses the connector's folder, as the kernel API roots paths there.
 */
export function bucketTarget(
  connector: ISnippetConnector,
  fullKey: string
): ISnippetTarget {
  const folder = connector.prefix.replace(/^\/+/, '');
  const prefix = folder && !folder.endsWith('/') ? folder + '/' : folder;
  const key = fullKey.startsWith(prefix)
    ? fullKey.slice(prefix.length)
    : fullKey;
  return { name: connector.name, key, backend: connector.backend };
}

/**
 * The target of a file of the main file browser at `path`, when it lies in a
 * mounted bucket (`<mount root>/<name>/<key>` of an active connector with a
 * mount backend); undefined otherwise.
 */
export function mountedTarget(
  path: string,
  connectors: ReadonlyArray<ISnippetConnector>,
  mountRoot: string = DEFAULT_MOUNT_ROOT
): ISnippetTarget | undefined {
  const root = mountRoot.replace(/^\/+|\/+$/g, '');
  const clean = path.replace(/^\/+/, '');
  if (root && !clean.startsWith(root + '/')) {
    return undefined;
  }
  const below = root ? clean.slice(root.length + 1) : clean;
  const slash = below.indexOf('/');
  if (slash <= 0 || slash === below.length - 1) {
    return undefined;
  }
  const name = below.slice(0, slash);
  const connector = connectors.find(
    c => c.name === name && c.active && MOUNT_BACKENDS.includes(c.backend)
  );
  return connector
    ? {
        name,
        key: below.slice(slash + 1),
        backend: connector.backend,
        mountRoot: root
      }
    : undefined;
}
