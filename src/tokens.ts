import { Token } from '@lumino/coreutils';
import { IDisposable } from '@lumino/disposable';
import { ISignal } from '@lumino/signaling';

import {
  ICatalog,
  IConnector,
  IConnectorInput,
  IPermissions,
  IServerInfo,
  ITestResult
} from './connectors/types';

export * from './connectors/types';

/**
 * The connectors of this Jupyter server: their state and the calls that
 * change it.
 */
export interface IConnectorsModel extends IDisposable {
  /** Emitted whenever the list, a connector or the selection changes. */
  readonly changed: ISignal<IConnectorsModel, void>;
  /** Emitted when a connector becomes active or inactive. */
  readonly activeChanged: ISignal<
    IConnectorsModel,
    IConnectorsModel.IActiveChange
  >;
  /** The user's own connectors and the published ones (with a `catalog`). */
  readonly connectors: ReadonlyArray<IConnector>;
  /** The catalogs of published connectors. */
  readonly catalogs: ReadonlyArray<ICatalog>;
  /** What the server's authorizer lets this user do. */
  readonly permissions: IPermissions;
  readonly status: IConnectorsModel.Status;
  /** The last error's message when `status` is `error` or `missing-server`. */
  readonly error: string;
  readonly serverInfo: IServerInfo | null;
  selectedId: string | null;
  find(idOrName: string): IConnector | undefined;
  refresh(): Promise<void>;
  create(input: IConnectorInput): Promise<IConnector>;
  update(id: string, input: Partial<IConnectorInput>): Promise<IConnector>;
  remove(id: string): Promise<void>;
  /** The catalogs where the user's connector `id` is published. */
  publications(id: string): string[];
  /** Publish the user's connector to a catalog (again, to update the copy). */
  publish(id: string, catalog: string): Promise<IConnector>;
  unpublish(id: string, catalog: string): Promise<void>;
  activate(id: string): Promise<IConnector>;
  /**
   * Resolves to null when a deactivation guard kept the connector active.
   * A busy mount rejects with a `ConnectorsAPIError` of code `mount.busy`.
   */
  deactivate(
    id: string,
    options?: IConnectorsModel.IDeactivateOptions
  ): Promise<IConnector | null>;
  /** Mount an active mount-backend connector again. */
  remount(id: string): Promise<IConnector>;
  /** Resolves after the first load from the server, whether it succeeded or not. */
  readonly ready: Promise<void>;
  /**
   * Add a check that runs before a connector is deactivated (for example, to
   * ask about unsaved documents); when one resolves to false, it stays active.
   */
  addDeactivationGuard(guard: IConnectorsModel.DeactivationGuard): IDisposable;
  test(id: string): Promise<ITestResult>;
  lastTest(id: string): ITestResult | undefined;
  isTesting(id: string): boolean;
  /**
   * Whether the S3 server of a connector checks the conditions of writes
   * (`If-Match`, `If-None-Match`), as its drive found out on the first
   * overwrite of this session; undefined until then.
   */
  writeChecks(id: string): IConnectorsModel.WriteChecks | undefined;
  /** Record what a connector's drive found out about its server. */
  setWriteChecks(id: string, checks: IConnectorsModel.WriteChecks): void;
  /** The key of an active `direct` connector (the server refuses others). */
  credentials(id: string): Promise<IConnectorsModel.ICredentials>;
  /**
   * A presigned GET of an object, made on the server.
   *
   * @param key the object's S3 key
   * @param expiresIn the link's lifetime in seconds
   */
  presign(
    id: string,
    key: string,
    expiresIn: number
  ): Promise<IConnectorsModel.IPresignedLink>;
  /**
   * The buckets a key can see at an endpoint, asked by the server (the
   * connector form's bucket picker). A failure to reach the endpoint or a
   * refused key resolves with `ok: false` and a message saying what to do.
   */
  listBuckets(
    request: IConnectorsModel.IBucketListRequest
  ): Promise<IConnectorsModel.IBucketList>;
}

export namespace IConnectorsModel {
  export type DeactivationGuard = (connector: IConnector) => Promise<boolean>;

  export interface IDeactivateOptions {
    /** Unmount a busy mount anyway (a lazy unmount). */
    force?: boolean;
    /** The guards already agreed (a second attempt). */
    skipGuards?: boolean;
  }

  export type Status = 'loading' | 'ready' | 'error' | 'missing-server';

  /** The key of a `direct` connector, given to the browser by the server. */
  export interface ICredentials {
    access_key_id: string;
    secret_access_key: string;
    region: string;
    endpoint: string;
    bucket: string;
  }

  /** A presigned download link and its lifetime in seconds. */
  export interface IPresignedLink {
    url: string;
    expires_in: number;
  }

  /**
   * What the bucket list needs: the key typed in the form, or the ID of the
   * connector being edited, whose stored secret the server uses (the same
   * endpoint and access key ID only).
   */
  export interface IBucketListRequest {
    endpoint: string;
    region?: string;
    access_key_id: string;
    secret_access_key?: string;
    connector_id?: string;
  }

  /** The answer of a bucket listing, shaped like a connection test's. */
  export interface IBucketList {
    ok: boolean;
    code: string;
    message: string;
    buckets: string[];
  }

  /** `ignored`: the drive checks the ETag just before each write instead. */
  export type WriteChecks = 'honoured' | 'ignored';

  export interface IActiveChange {
    /** The connector, or null when an active one disappeared. */
    connector: IConnector | null;
    id?: string;
    active: boolean;
  }
}

/** The connectors model, for plugins that act on connectors. */
export const IConnectorsModel = new Token<IConnectorsModel>(
  'jupyterlab-s3-connectors:IConnectorsModel',
  'The S3 connectors of this Jupyter server and the calls that change them.'
);
