/**
 * How an active connector is named in JupyterLab: its drive, its file
 * browser and the look of its sidebar tab.
 *
 * The drive is keyed by the connector's ID, which never changes: a rename
 * keeps the paths of open documents (`s3-<id>:folder/file`) valid, and a
 * document or a remembered path can never reach another bucket that took
 * the old name.
 */

/** The prefix of the drive names of connectors. */
export const DRIVE_PREFIX = 's3-';

/**
 * The drive name of a connector: `s3-<id>`.
 *
 * A JupyterLab drive name ends at the first `:` and may not hold a `/`; the
 * server's IDs are UUIDs, anything else is percent-encoded.
 */
export function driveNameOf(id: string): string {
  return DRIVE_PREFIX + id.replace(/[^A-Za-z0-9_.-]/g, encodeURIComponent);
}

/** The class of every bucket browser. */
export const BROWSER_CLASS = 'jp-S3Connectors-browser';

/** The class of the bucket browsers of read-only connectors. */
export const READ_ONLY_CLASS = 'jp-mod-readOnly';

/** The class of the bucket browsers of `direct` connectors. */
export const DIRECT_CLASS = 'jp-mod-direct';

/**
 * The DOM id of a connector's bucket browser (a sidebar tab). A published
 * connector's has its catalog's name too: it may be named as one of the
 * user's own (names never hold `_`, so the two can't meet).
 */
export function browserIdOf(name: string, catalog?: string): string {
  return catalog
    ? `jp-S3Connectors-browser-${catalog}_${name}`
    : `jp-S3Connectors-browser-${name}`;
}

/**
 * One or two capital letters that tell a connector's tab from the others:
 * the first letters of the first and last words of its name
 * (`sales-data` → `SD`), or the first two letters of a one-word name.
 */
export function initialsOf(name: string): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter(Boolean);
  if (!words.length) {
    return '?';
  }
  const text =
    words.length === 1
      ? words[0].slice(0, 2)
      : words[0][0] + words[words.length - 1][0];
  return text.toUpperCase();
}

/**
 * Colours that stay apart from one another and carry white letters, in the
 * light and the dark themes.
 */
export const TAB_COLOURS = [
  '#1565c0',
  '#c62828',
  '#2e7d32',
  '#6a1b9a',
  '#ef6c00',
  '#00838f',
  '#ad1457',
  '#4e342e',
  '#3949ab',
  '#558b2f'
];

/** The colour of a connector's tab, from its ID: it survives renames. */
export function colourOf(id: string): string {
  // FNV-1a: a small, stable hash that spreads close IDs apart.
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return TAB_COLOURS[hash % TAB_COLOURS.length];
}
