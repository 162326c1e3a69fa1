/**
 * The errors of what the drive refuses before asking S3.
 */
import { TranslationBundle } from '@jupyterlab/translation';

import { S3DriveError } from './errors';
import { keyByteLength, MAX_KEY_BYTES } from './paths';

/**
 * A disposed drive (its connector was deactivated): JupyterLab cannot remove
 * a drive, so an open document or a remembered path may still call it.
 */
export function inactiveError(
  name: string,
  trans: TranslationBundle
): S3DriveError {
  return new S3DriveError(
    trans.__(
      'Connector "%1" is not active: activate it to reach its bucket.',
      name
    ),
    { code: 'Inactive', status: 410 }
  );
}

/** A change asked of a read-only connector. */
export function readOnlyError(
  name: string,
  trans: TranslationBundle
): S3DriveError {
  return new S3DriveError(
    trans.__(
      "Connector '%1' is read-only: its files can be opened and downloaded, not changed.",
      name
    ),
    { code: 'ReadOnly', status: 403 }
  );
}

/** A delete, rename, copy or overwrite of the drive's root. */
export function rootError(trans: TranslationBundle): S3DriveError {
  return new S3DriveError(
    trans.__(
      "The bucket's root folder cannot be deleted, renamed, copied or overwritten."
    ),
    { code: 'InvalidPath', status: 400 }
  );
}

/** A folder moved or copied into itself. */
export function intoItselfError(
  path: string,
  trans: TranslationBundle
): S3DriveError {
  return new S3DriveError(
    trans.__('"%1" cannot be moved or copied into itself.', path),
    { code: 'InvalidPath', status: 400 }
  );
}

/** A save without content. */
export function noContentError(
  path: string,
  trans: TranslationBundle
): S3DriveError {
  return new S3DriveError(trans.__('No content to save in "%1".', path), {
    code: 'NoContent',
    status: 400
  });
}

/**
 * Refuse a key longer than S3 allows, naming the drive path.
 */
export function checkKeyLength(
  key: string,
  path: string,
  trans: TranslationBundle
): void {
  if (keyByteLength(key) > MAX_KEY_BYTES) {
    throw new S3DriveError(
      trans.__(
        'The name "%1" is too long for S3: keys are at most %2 bytes. Choose a shorter name.',
        path,
        String(MAX_KEY_BYTES)
      ),
      { code: 'KeyTooLongError', status: 400 }
    );
  }
}
