import {
  DeleteObjectCommand,
  GetBucketVersioningCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  ObjectVersion
} from '@aws-sdk/client-s3';
import { Contents } from '@jupyterlab/services';

import { isNotFound } from './errors';
import { Bucket, decodeListed } from './bucket';
import { checkpointKey } from './paths';

/** The id of the single checkpoint of an unversioned bucket. */
export const CHECKPOINT_ID = 'checkpoint';

/** The most versions listed as checkpoints (the newest ones). */
export const MAX_VERSION_CHECKPOINTS = 50;

/**
 * Checkpoints of the objects of a bucket.
 *
 * - Bucket with versioning enabled: every version of the object is a
 *   checkpoint (id = version id), oldest first, so the last one is the
 *   current content, like Jupyter's last checkpoint. Creating one writes
 *   nothing; restoring copies the version over the object (a new version);
 *   deleting removes a non-current version.
 * - Otherwise: one checkpoint per object (id `checkpoint`), a server-side copy
 *   where Jupyter server keeps it, `<dir>/.ipynb_checkpoints/<base>-checkpoint<ext>`
 *   (the folder is hidden from listings).
 *
 * These methods reject on S3 errors; the drive turns them into logged
 * warnings, because JupyterLab cannot open a document whose checkpoint calls
 * fail.
 */
export class Checkpoints {
  constructor(private readonly _bucket: Bucket) {}

  /**
   * Whether the bucket keeps versions (asked once, then cached).
   */
  async versioned(): Promise<boolean> {
    if (this._versioned === null) {
      this._versioned = this._bucket.client
        .send(new GetBucketVersioningCommand({ Bucket: this._bucket.name }))
        .then(answer => answer.Status === 'Enabled')
        .catch(error => {
          // The key may not be allowed to read the bucket's configuration:
          // fall back to copies, which always work.
          console.warn(
            `Could not read the versioning of bucket "${this._bucket.name}"; checkpoints will be copies.`,
            error
          );
          return false;
        });
    }
    return this._versioned;
  }

  /**
   * Create a checkpoint of the object at `key`.
   */
  async create(key: string): Promise<Contents.ICheckpointModel> {
    if (await this.versioned()) {
      const head = await this._bucket.client.send(
        new HeadObjectCommand({ Bucket: this._bucket.name, Key: key })
      );
      return {
        id: head.VersionId ?? 'null',
        last_modified: iso(head.LastModified)
      };
    }
    const target = checkpointKey(key);
    await this._bucket.copyKey(key, target);
    const head = await this._bucket.client.send(
      new HeadObjectCommand({ Bucket: this._bucket.name, Key: target })
    );
    return { id: CHECKPOINT_ID, last_modified: iso(head.LastModified) };
  }

  /**
   * The checkpoints of the object at `key`, oldest first.
   */
  async list(key: string): Promise<Contents.ICheckpointModel[]> {
    if (await this.versioned()) {
      const versions = await this._versions(key);
      return versions
        .slice(0, MAX_VERSION_CHECKPOINTS)
        .reverse()
        .map(version => ({
          id: version.VersionId ?? 'null',
          last_modified: iso(version.LastModified)
        }));
    }
    try {
      const head = await this._bucket.client.send(
        new HeadObjectCommand({
          Bucket: this._bucket.name,
          Key: checkpointKey(key)
        })
      );
      return [{ id: CHECKPOINT_ID, last_modified: iso(head.LastModified) }];
    } catch (error) {
      if (isNotFound(error)) {
        return [];
      }
      throw error;
    }
  }

  /**
   * Copy a checkpoint over the object.
   *
   * @returns the object's new ETag
   */
  async restore(key: string, id: string): Promise<string | undefined> {
    if (await this.versioned()) {
      return this._bucket.copyKey(key, key, { versionId: id });
    }
    return this._bucket.copyKey(checkpointKey(key), key);
  }

  /**
   * Delete a checkpoint. With versions, only a non-current one: deleting the
   * current version would change the object.
   */
  async delete(key: string, id: string): Promise<void> {
    if (await this.versioned()) {
      const versions = await this._versions(key);
      const version = versions.find(v => v.VersionId === id);
      if (!version) {
        return;
      }
      if (version.IsLatest) {
        console.warn(
          `Checkpoint ${id} of "${key}" is its current version; it is kept.`
        );
        return;
      }
      await this._bucket.client.send(
        new DeleteObjectCommand({
          Bucket: this._bucket.name,
          Key: key,
          VersionId: id
        })
      );
      return;
    }
    await this._bucket.client.send(
      new DeleteObjectCommand({
        Bucket: this._bucket.name,
        Key: checkpointKey(key)
      })
    );
  }

  /**
   * Move the copy checkpoint of an object that was renamed (no-op with
   * versions: they stay with the old key).
   */
  async move(from: string, to: string): Promise<void> {
    if (await this.versioned()) {
      return;
    }
    try {
      await this._bucket.copyKey(checkpointKey(from), checkpointKey(to));
    } catch (error) {
      if (isNotFound(error)) {
        return;
      }
      throw error;
    }
    await this.remove(from);
  }

  /**
   * Remove the copy checkpoint of a deleted object (no-op with versions).
   */
  async remove(key: string): Promise<void> {
    if (await this.versioned()) {
      return;
    }
    await this._bucket.client.send(
      new DeleteObjectCommand({
        Bucket: this._bucket.name,
        Key: checkpointKey(key)
      })
    );
  }

  /**
   * The versions of exactly `key`, newest first, without delete markers.
   */
  private async _versions(key: string): Promise<ObjectVersion[]> {
    const versions: ObjectVersion[] = [];
    let keyMarker: string | undefined;
    let versionMarker: string | undefined;
    for (;;) {
      const page = await this._bucket.client.send(
        new ListObjectVersionsCommand({
          Bucket: this._bucket.name,
          Prefix: key,
          KeyMarker: keyMarker,
          VersionIdMarker: versionMarker,
          EncodingType: 'url'
        })
      );
      const encoded = page.EncodingType === 'url';
      const all = (page.Versions ?? []).map(v =>
        v.Key === undefined ? v : { ...v, Key: decodeListed(v.Key, encoded) }
      );
      versions.push(...all.filter(v => v.Key === key));
      // Keys come in order: once a longer key shows, `key` is done.
      const passed = all.some(v => v.Key !== key);
      const markers = (page.DeleteMarkers ?? []).map(m =>
        m.Key === undefined ? m : { ...m, Key: decodeListed(m.Key, encoded) }
      );
      if (
        passed ||
        markers.some(m => m.Key !== key) ||
        !page.IsTruncated ||
        versions.length >= MAX_VERSION_CHECKPOINTS
      ) {
        break;
      }
      keyMarker =
        page.NextKeyMarker === undefined
          ? undefined
          : decodeListed(page.NextKeyMarker, encoded);
      versionMarker = page.NextVersionIdMarker;
    }
    return versions;
  }

  private _versioned: Promise<boolean> | null = null;
}

/**
 * An ISO date, now when unknown.
 */
function iso(date: Date | undefined): string {
  return (date ?? new Date()).toISOString();
}
