/**
 * Names of new files and copies, as Jupyter server chooses them.
 */

import { splitName } from './paths';

/** Jupyter server's `untitled_notebook`, `untitled_file`, `untitled_directory`. */
export const UNTITLED_NOTEBOOK = 'Untitled';
export const UNTITLED_FILE = 'untitled';
export const UNTITLED_DIRECTORY = 'Untitled Folder';

/**
 * Jupyter server's `increment_filename`: the first of `name`, `name1`,
 * `name2`… (counter before the extension, after `insert`) not in `taken`.
 */
export function incrementName(
  name: string,
  taken: ReadonlySet<string>,
  insert = ''
): string {
  const { base, suffix } = splitName(name);
  for (let i = 0; ; i++) {
    const candidate = i ? `${base}${insert}${i}${suffix}` : name;
    if (!taken.has(candidate)) {
      return candidate;
    }
  }
}

/**
 * The name of a new untitled item, as Jupyter server's `new_untitled`.
 *
 * @param type `notebook`, `file` or `directory`
 * @param ext the extension of a file (with or without its dot)
 */
export function untitledName(
  type: string,
  ext: string,
  taken: ReadonlySet<string>
): string {
  if (type === 'directory') {
    return incrementName(UNTITLED_DIRECTORY, taken, ' ');
  }
  if (type === 'notebook') {
    return incrementName(UNTITLED_NOTEBOOK + '.ipynb', taken);
  }
  return incrementName(UNTITLED_FILE + normalizeExtension(ext), taken);
}

/**
 * The name of a copy of `name` in a folder holding `taken`, as Jupyter
 * server's `copy`: `a.txt` → `a-Copy1.txt`, and a copy of a copy does not
 * become `a-Copy1-Copy1.txt`.
 */
export function copyName(name: string, taken: ReadonlySet<string>): string {
  const original = name.replace(/-Copy\d*\./g, '.');
  return incrementName(original, taken, '-Copy');
}

/**
 * `txt` → `.txt`; empty stays empty.
 */
export function normalizeExtension(ext: string): string {
  return ext && !ext.startsWith('.') ? `.${ext}` : ext;
}
