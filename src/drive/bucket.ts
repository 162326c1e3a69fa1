/**
 * A bucket as the drive uses it: its client, its name and its listing page
 * size, and the S3 operations on it (listings with pages, batched deletes,
 * copies, heads).
 */

import {
  _Object,
  CopyObjectCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  GetObjectCommandOutput,
  HeadObjectCommand,
  HeadObjectCommandOutput,
  ListObjectsV2Command,
  S3Client
} from '@aws-sdk/client-s3';

import { isNotFound } from './errors';
import { encodeKey, IResolvedPath } from './paths';

/** The most keys one `DeleteObjects` accepts. */
export const DELETE_BATCH = 1000;

/** How many copies run at once in a folder operation. */
export const COPY_CONCURRENCY = 8;

/** One level of a listing: the objects and the common prefixes. */
export interface IListing {
  objects: _Object[];
  prefixes: string[];
}

/** One page of a listing, and the token of the next page, if any. */
export interface IListingPage extends IListing {
  next: string | undefined;
}

/**
 * A key or prefix of a listing asked with `EncodingType: 'url'`: decoded when
 * the server applied the encoding (it says so in the answer; some servers
 * ignore the parameter and list keys as they are).
 *
 * Listings are asked that way because XML 1.0 cannot carry every character a
 * key may hold (`\x01`), and XML parsers turn a `\r` into `\n`. S3 encodes a
 * space as `+` and a `+` as `%2B`.
 */
export function decodeListed(value: string, encoded: boolean): string {
  return encoded ? decodeURIComponent(value.replace(/\+/g, ' ')) : value;
}

/** The objects of a listing page with their keys decoded. */
function decodeObjects(
  objects: _Object[] | undefined,
  encoded: boolean
): _Object[] {
  const list = objects ?? [];
  return encoded
    ? list.map(object =>
        object.Key === undefined
          ? object
          : { ...object, Key: decodeListed(object.Key, encoded) }
      )
    : list;
}

/** Where a key goes in a folder copy or rename. */
export interface IKeyPair {
  from: string;
  to: string;
}

/** What a path is in the bucket. */
export type PathKind =
  | { type: 'directory' }
  | { type: 'file'; head: HeadObjectCommandOutput }
  | null;

/**
 * The `CopySource` of a key: `bucket/key`, percent-encoded, slashes kept.
 */
export function copySource(
  bucket: string,
  key: string,
  versionId?: string
): string {
  const source = `${bucket}/${encodeKey(key)}`;
  return versionId
    ? `${source}?versionId=${encodeURIComponent(versionId)}`
    : source;
}

/**
 * One bucket reached with one client. Every S3 call of the drive goes through
 * here or through the modules that hold a `Bucket` (checkpoints, conditional
 * writes, multipart uploads).
 */
export class Bucket {
  /**
   * @param client the S3 client, from `createS3Client`
   * @param name the bucket's name
   * @param pageSize the `MaxKeys` of listings (default: the server's, 1000)
   */
  constructor(
    readonly client: S3Client,
    readonly name: string,
    readonly pageSize?: number
  ) {}

  /**
   * `GetObject` of a whole object.
   */
  getObject(key: string): Promise<GetObjectCommandOutput> {
    return this.client.send(
      new GetObjectCommand({ Bucket: this.name, Key: key })
    );
  }

  /**
   * `DeleteObject` of one key.
   */
  async deleteObject(key: string): Promise<void> {
    await this.client.send(
      new DeleteObjectCommand({ Bucket: this.name, Key: key })
    );
  }

  /**
   * One page of the level below a prefix (`Delimiter: '/'`).
   */
  async listLevelPage(prefix: string, token?: string): Promise<IListingPage> {
    const page = await this.client.send(
      new ListObjectsV2Command({
        Bucket: this.name,
        Prefix: prefix,
        Delimiter: '/',
        ContinuationToken: token,
        MaxKeys: this.pageSize,
        EncodingType: 'url'
      })
    );
    const encoded = page.EncodingType === 'url';
    const prefixes: string[] = [];
    for (const common of page.CommonPrefixes ?? []) {
      if (common.Prefix !== undefined) {
        prefixes.push(decodeListed(common.Prefix, encoded));
      }
    }
    return {
      objects: decodeObjects(page.Contents, encoded),
      prefixes,
      next: page.IsTruncated ? page.NextContinuationToken : undefined
    };
  }

  /**
   * List one level below a prefix (`Delimiter: '/'`), following every page.
   *
   * @param first the first page, when it was already fetched
   */
  async listLevel(prefix: string, first?: IListingPage): Promise<IListing> {
    const objects: _Object[] = [];
    const prefixes: string[] = [];
    let page = first ?? (await this.listLevelPage(prefix));
    for (;;) {
      objects.push(...page.objects);
      prefixes.push(...page.prefixes);
      if (!page.next) {
        return { objects, prefixes };
      }
      page = await this.listLevelPage(prefix, page.next);
    }
  }

  /**
   * Every object below a prefix, at any depth, following every page.
   */
  async listAll(prefix: string): Promise<_Object[]> {
    const objects: _Object[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.name,
          Prefix: prefix,
          ContinuationToken: token,
          MaxKeys: this.pageSize,
          EncodingType: 'url'
        })
      );
      objects.push(
        ...decodeObjects(page.Contents, page.EncodingType === 'url')
      );
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return objects;
  }

  /**
   * Whether anything exists below a prefix (a folder, with or without marker).
   */
  async hasKeysBelow(prefix: string): Promise<boolean> {
    const page = await this.client.send(
      new ListObjectsV2Command({
        Bucket: this.name,
        Prefix: prefix,
        MaxKeys: 1,
        EncodingType: 'url'
      })
    );
    return (page.KeyCount ?? page.Contents?.length ?? 0) > 0;
  }

  /**
   * Delete keys with `DeleteObjects`, at most 1000 a request.
   *
   * @param onBatch called with the number of keys deleted so far
   * @throws Error naming the first key S3 could not delete
   */
  async deleteKeys(
    keys: string[],
    onBatch?: (done: number) => void
  ): Promise<void> {
    for (let start = 0; start < keys.length; start += DELETE_BATCH) {
      const batch = keys.slice(start, start + DELETE_BATCH);
      const answer = await this.client.send(
        new DeleteObjectsCommand({
          Bucket: this.name,
          Delete: { Objects: batch.map(Key => ({ Key })), Quiet: true }
        })
      );
      const failed = answer.Errors ?? [];
      if (failed.length > 0) {
        const first = failed[0];
        const error = new Error(
          `${failed.length} key(s) could not be deleted, the first "${first.Key}": ${first.Code} ${first.Message ?? ''}`
        );
        Object.assign(error, { name: first.Code ?? 'DeleteError' });
        throw error;
      }
      onBatch?.(start + batch.length);
    }
  }

  /**
   * Copy one object inside the bucket (server side).
   *
   * @returns the new object's ETag
   */
  async copyKey(
    from: string,
    to: string,
    options: { versionId?: string; ifNoneMatch?: string } = {}
  ): Promise<string | undefined> {
    const answer = await this.client.send(
      new CopyObjectCommand({
        Bucket: this.name,
        Key: to,
        CopySource: copySource(this.name, from, options.versionId),
        IfNoneMatch: options.ifNoneMatch
      })
    );
    return answer.CopyObjectResult?.ETag;
  }

  /**
   * Copy many objects, a few at a time.
   *
   * @param onCopy called with the number of objects copied so far
   * @returns the targets copied, in order, when all succeeded
   * @throws the first error; copies already made are listed in `error.copied`
   */
  async copyKeys(
    pairs: IKeyPair[],
    onCopy?: (done: number) => void
  ): Promise<string[]> {
    const copied: string[] = [];
    let next = 0;
    let failure: unknown = null;
    const worker = async (): Promise<void> => {
      while (failure === null && next < pairs.length) {
        const pair = pairs[next++];
        try {
          await this.copyKey(pair.from, pair.to);
          copied.push(pair.to);
          onCopy?.(copied.length);
        } catch (error) {
          failure = failure ?? error;
        }
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(COPY_CONCURRENCY, pairs.length) }, worker)
    );
    if (failure !== null) {
      throw Object.assign(failure as object, { copied });
    }
    return copied;
  }

  /**
   * Copy every key below a folder to another folder; on failure the copies
   * already made are removed again (best effort) and the error is thrown.
   */
  async copyFolder(
    pairs: IKeyPair[],
    onCopy?: (done: number) => void
  ): Promise<void> {
    try {
      await this.copyKeys(pairs, onCopy);
    } catch (error) {
      const copied = (error as { copied?: string[] }).copied ?? [];
      try {
        await this.deleteKeys(copied);
      } catch (cleanup) {
        console.warn(
          `Could not remove ${copied.length} partial copies after a failed folder copy.`,
          cleanup
        );
      }
      throw error;
    }
  }

  /**
   * Every key below a folder, and where it goes under another folder.
   */
  async folderPairs(
    fromFolderKey: string,
    toFolderKey: string
  ): Promise<IKeyPair[]> {
    const objects = await this.listAll(fromFolderKey);
    return objects.map(object => {
      const key = object.Key as string;
      return { from: key, to: toFolderKey + key.slice(fromFolderKey.length) };
    });
  }

  /**
   * `HeadObject`, or `null` for a missing key or a zero-byte folder marker.
   */
  async head(key: string): Promise<HeadObjectCommandOutput | null> {
    if (key === '') {
      return null;
    }
    try {
      const head = await this.client.send(
        new HeadObjectCommand({ Bucket: this.name, Key: key })
      );
      if (key.endsWith('/') && !head.ContentLength) {
        return null;
      }
      // Across origins the ETag header is readable only where the bucket's
      // CORS rule exposes it (moto leaves it out of HEAD answers): the
      // listing's ETag, in the body, is the same.
      head.ETag = head.ETag ?? (await this.listedETag(key));
      return head;
    } catch (error) {
      if (isNotFound(error)) {
        return null;
      }
      throw error;
    }
  }

  /**
   * The ETag of an object as a listing gives it.
   */
  async listedETag(key: string): Promise<string | undefined> {
    const page = await this.client.send(
      new ListObjectsV2Command({
        Bucket: this.name,
        Prefix: key,
        MaxKeys: 1,
        EncodingType: 'url'
      })
    );
    const first = page.Contents?.[0];
    const encoded = page.EncodingType === 'url';
    return first?.Key !== undefined && decodeListed(first.Key, encoded) === key
      ? first.ETag
      : undefined;
  }

  /**
   * What a path is: a folder (keys below `path/`), a file, or nothing. A
   * folder wins over an object of the same name, as in listings; a `␀=` path
   * is the object only.
   */
  async stat(resolved: IResolvedPath): Promise<PathKind> {
    if (resolved.isRoot) {
      return { type: 'directory' };
    }
    const file = async (): Promise<PathKind> => {
      const head = await this.head(resolved.key);
      return head ? { type: 'file', head } : null;
    };
    if (resolved.shadowed) {
      return file();
    }
    const [folder, object] = await Promise.all([
      this.hasKeysBelow(resolved.folderKey),
      file()
    ]);
    return folder ? { type: 'directory' } : object;
  }

  /**
   * The raw names (key segments) of the files and folders in a folder.
   */
  async namesIn(folderKey: string): Promise<Set<string>> {
    const { objects, prefixes } = await this.listLevel(folderKey);
    const names = new Set<string>();
    for (const object of objects) {
      if (object.Key !== folderKey) {
        names.add((object.Key as string).slice(folderKey.length));
      }
    }
    for (const prefix of prefixes) {
      names.add(prefix.slice(folderKey.length, -1));
    }
    return names;
  }
}
