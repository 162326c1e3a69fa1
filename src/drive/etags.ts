/**
 * The versions (ETags) the drive's writes are conditional on.
 *
 * A save must replace only the version the user's document is based on: the
 * one read with its content, or the one the drive last wrote ("held"). Other
 * sightings of a key are of two kinds:
 *
 * - a listing: remembered only for keys whose content the drive never read
 *   or wrote, so that an upload over a listed file is still conditional on
 *   the version that was listed;
 * - a `HeadObject` of the file: JupyterLab asks for one before every save and
 *   compares its hash with the document's; when they differ it shows its
 *   "File Changed" dialog, whose "Overwrite" then saves. So the version a head
 *   finds becomes the one to replace. (The head JupyterLab makes right after
 *   a save is answered by the drive with the save's own version: see
 *   `S3Drive`.)
 */
import type { IWriteCondition } from './conditional';

/** How many keys the drive remembers a version of. */
export const MAX_KNOWN_VERSIONS = 10000;

interface IKnown {
  etag: string;
  /** Read with its content, written by the drive or found by a head. */
  held: boolean;
}

export class KnownVersions {
  /**
   * The version of a key's content as read or written by the drive.
   */
  held(key: string, etag: string | undefined): void {
    if (etag) {
      this._set(key, { etag, held: true });
    }
  }

  /**
   * A version seen in a listing: kept unless a held one is known.
   */
  seen(key: string, etag: string | undefined): void {
    if (etag && !this._known.get(key)?.held) {
      this._set(key, { etag, held: false });
    }
  }

  /**
   * A version found by a head of the file: the one a save replaces next.
   */
  headed(key: string, etag: string | undefined): void {
    if (etag) {
      this._set(key, { etag, held: true });
    }
  }

  /** The version a write of `key` must replace, if any is known. */
  get(key: string): string | undefined {
    return this._known.get(key)?.etag;
  }

  /** Whether a version of `key` is known. */
  has(key: string): boolean {
    return this._known.has(key);
  }

  /**
   * The condition of a write of `key`: replace the known version, or create.
   */
  conditionFor(key: string): IWriteCondition {
    const etag = this.get(key);
    return etag ? { ifMatch: etag } : { ifNoneMatch: '*' };
  }

  /** Forget a key (deleted or moved). */
  forget(key: string): void {
    this._known.delete(key);
  }

  /** Forget every key below a folder key. */
  forgetBelow(folderKey: string): void {
    for (const key of [...this._known.keys()]) {
      if (key.startsWith(folderKey)) {
        this._known.delete(key);
      }
    }
  }

  private _set(key: string, known: IKnown): void {
    this._known.delete(key);
    this._known.set(key, known);
    if (this._known.size > MAX_KNOWN_VERSIONS) {
      const oldest = this._known.keys().next().value;
      if (oldest !== undefined) {
        this._known.delete(oldest);
      }
    }
  }

  private readonly _known = new Map<string, IKnown>();
}
