/* eslint-disable @typescript-eslint/no-explicit-any -- Node scripts driving a page */
/**
 * What the row groups of bench #9 share: the options of the run, the pairs
 * they measure, and the page with its servers.
 */
import { S3Client } from '@aws-sdk/client-s3';

import { IJupyter, IServer } from '../lib/servers';

export type Timed = (round: number) => Promise<number>;

export type Backend = 'direct' | 'proxy';

export const BACKENDS: Backend[] = ['direct', 'proxy'];

/** A pair measured here; `report.ts` turns it into a row of the table. */
export interface IChromiumPair {
  id: string;
  a: string;
  b: string;
  samples: { a: number[]; b: number[] };
  /** Bytes moved by one sample (a throughput row), else a time row. */
  bytes?: number;
  /** The target ratio (throughput ≥ or time ≤), `null` for a report. */
  target: number | null;
  note?: string;
  /** More figures for results.json. */
  extra?: Record<string, unknown>;
}

export interface IChromiumOptions {
  smoke: boolean;
  rounds: number;
  uploadMiB: number;
  /** The size of the CSV opened in the editor (9.5, 9.6). */
  openMiB: number;
  objects: number;
  /** How many `HeadObject` of each client 9.11 times. */
  heads: number;
  /** Runs A and B alternately (report.ts's `alternate`). */
  alternate: (
    label: string,
    a: Timed,
    b: Timed
  ) => Promise<{ a: number[]; b: number[] }>;
  /** Which rows to measure: 'upload', 'list', 'open', 'save', 'rename', 'head' (all by default). */
  only?: Set<string>;
}

/** The floor's connection to S3 (`floor.ts`). */
export interface IFloorOptions {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** The page and its servers, as the row groups use them. */
export interface IChromiumContext {
  options: IChromiumOptions;
  /** Playwright's page: JupyterLab with both bucket browsers. */
  page: any;
  moto: IServer;
  jupyter: IJupyter;
  /** A raw client on moto, for set-up and checks from Node. */
  s3: S3Client;
  bucket: string;
  /** The connectors' names and IDs by backend. */
  names: Record<Backend, string>;
  ids: Record<Backend, string>;
  floorOptions: IFloorOptions;
  /** A scratch folder, removed at the end. */
  tmp: string;
  /** Show a backend's bucket browser; resolves to its panel (a locator). */
  open: (backend: Backend) => Promise<any>;
  /** Go to the bucket's root in a bucket browser. */
  home: (panel: any) => Promise<void>;
  /** The JupyterLab path of a key in a backend's drive. */
  drivePath: (backend: Backend, key: string) => string;
}
