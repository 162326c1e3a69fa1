/**
 * Conditional writes that hold on every S3 server.
 *
 * A save overwrites an object only if it is still the version the drive last
 * saw (`If-Match: <etag>`) and a create only writes what does not exist
 * (`If-None-Match: *`). Some S3-compatible servers ignore both headers. The
 * first overwrite of a drive finds out which kind the server is, without
 * risking anything: after checking the object with `HeadObject`, it sends the
 * save with an `If-Match` that cannot hold. A server that honours it answers
 * 412, and the save is sent again with the real ETag; a server that ignores it
 * has just stored the save, as the fallback would have. From then on:
 *
 * - `honoured`: writes carry their conditions and S3 checks them atomically;
 * - `ignored`: every write is preceded by a `HeadObject` check of the same
 *   condition, which narrows the window of a lost update to the time between
 *   the check and the write, but cannot close it.
 */
import {
  HeadObjectCommand,
  PutObjectCommand,
  PutObjectCommandInput,
  PutObjectCommandOutput
} from '@aws-sdk/client-s3';
import { ISignal, Signal } from '@lumino/signaling';

import { isNotFound } from './errors';
import { unquote } from './models';
import type { Bucket } from './bucket';

/** Whether the server checks `If-Match` and `If-None-Match` on writes. */
export type ConditionalSupport = 'unknown' | 'honoured' | 'ignored';

/** A write condition: overwrite `ifMatch`, or create (`ifNoneMatch: '*'`). */
export interface IWriteCondition {
  ifMatch?: string;
  ifNoneMatch?: string;
}

/** An ETag that no object has (S3 ETags are hex digests). */
const IMPOSSIBLE_ETAG = '"s3-connectors-probe-never-matches"';

/**
 * The error S3 answers when a condition does not hold.
 */
export function preconditionFailed(): Error {
  return Object.assign(
    new Error('At least one of the pre-conditions you specified did not hold'),
    { name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } }
  );
}

/**
 * Whether an error is S3's "a condition did not hold".
 */
export function isPreconditionFailed(error: unknown): boolean {
  const e = (error ?? {}) as {
    name?: unknown;
    Code?: unknown;
    $metadata?: { httpStatusCode?: unknown };
  };
  return (
    e.name === 'PreconditionFailed' ||
    e.Code === 'PreconditionFailed' ||
    e.$metadata?.httpStatusCode === 412
  );
}

/**
 * Check a write condition with `HeadObject`.
 *
 * @throws a `PreconditionFailed` error when it does not hold
 */
export async function checkCondition(
  bucket: Bucket,
  key: string,
  condition: IWriteCondition
): Promise<void> {
  const { ifMatch, ifNoneMatch } = condition;
  if (!ifMatch && !ifNoneMatch) {
    return;
  }
  let etag: string | undefined;
  try {
    const head = await bucket.client.send(
      new HeadObjectCommand({ Bucket: bucket.name, Key: key })
    );
    // Across origins the ETag header is readable only where the bucket's
    // CORS rule exposes it (moto leaves it out of HEAD answers): the
    // listing's ETag, in the body, is the same.
    etag = head.ETag ?? (await bucket.listedETag(key)) ?? '';
  } catch (error) {
    if (!isNotFound(error)) {
      throw error;
    }
  }
  const holds = ifMatch
    ? etag !== undefined && unquote(etag) === unquote(ifMatch)
    : etag === undefined;
  if (!holds) {
    throw preconditionFailed();
  }
}

/**
 * The conditional writes of one bucket (one connector).
 */
export class ConditionalWrites {
  constructor(private readonly _bucket: Bucket) {}

  /** What is known of the server's support of conditional writes. */
  get support(): ConditionalSupport {
    return this._support;
  }

  /** Emitted once the support is known. */
  get supportChanged(): ISignal<this, ConditionalSupport> {
    return this._supportChanged;
  }

  /**
   * `PutObject` under a condition: overwrite a version (`ifMatch`) or
   * create (`ifNoneMatch: '*'`).
   *
   * @returns the answer of the write that stored the object
   * @throws a `PreconditionFailed` error when the condition does not hold
   */
  async put(
    input: PutObjectCommandInput & { Key: string },
    condition: IWriteCondition
  ): Promise<PutObjectCommandOutput> {
    await this.check(input.Key, condition);
    const send = (extra: IWriteCondition) =>
      this._bucket.client.send(
        new PutObjectCommand({
          ...input,
          IfMatch: extra.ifMatch,
          IfNoneMatch: extra.ifNoneMatch
        })
      );
    if (condition.ifMatch && this._support === 'unknown') {
      let answer: PutObjectCommandOutput;
      try {
        answer = await send({ ifMatch: IMPOSSIBLE_ETAG });
      } catch (error) {
        if (!isPreconditionFailed(error)) {
          throw error;
        }
        this._learn('honoured');
        return send(condition);
      }
      this._learn('ignored');
      return answer;
    }
    return send(condition);
  }

  /**
   * Check a condition with `HeadObject` unless the server is known to check
   * it itself.
   */
  async check(key: string, condition: IWriteCondition): Promise<void> {
    if (this._support !== 'honoured') {
      await checkCondition(this._bucket, key, condition);
    }
  }

  private _learn(support: ConditionalSupport): void {
    if (this._support !== support) {
      this._support = support;
      this._supportChanged.emit(support);
    }
  }

  private _support: ConditionalSupport = 'unknown';
  private _supportChanged = new Signal<this, ConditionalSupport>(this);
}
