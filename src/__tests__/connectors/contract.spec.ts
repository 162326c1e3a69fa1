import * as fs from 'fs';
import * as path from 'path';

import { ConnectorsAPIError } from '../../requests';
import { FakeAPI } from './fakeApi';

/**
 * The exchanges of the REST API's contract, which test_api_contract.py
 * replays against the real server.
 */
interface IExchange {
  request: { method: string; path: string; body?: unknown };
  status: number;
  body: unknown;
  capture?: Record<string, string>;
}

const CONTRACT = path.resolve(
  __dirname,
  '..',
  '..',
  '..',
  'jupyterlab_s3_connectors',
  'tests',
  'api_contract.json'
);
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

/** `value` with every `{name}` replaced from `values`. */
function fill(value: unknown, values: Record<string, string>): unknown {
  if (typeof value === 'string') {
    return value.replace(/\{(\w+)\}/g, (_, name: string) => {
      if (!(name in values)) {
        throw new Error(`no value for {${name}}`);
      }
      return values[name];
    });
  }
  if (Array.isArray(value)) {
    return value.map(item => fill(item, values));
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, fill(item, values)])
    );
  }
  return value;
}

/** Where `actual` differs from the contract's `expected` (empty: it matches). */
function mismatches(actual: any, expected: unknown, where = 'body'): string[] {
  if (expected === '<string>') {
    return typeof actual === 'string' ? [] : [`${where}: not a string`];
  }
  if (expected === '<object>') {
    return actual !== null &&
      typeof actual === 'object' &&
      !Array.isArray(actual)
      ? []
      : [`${where}: not an object`];
  }
  if (expected === '<timestamp>') {
    return typeof actual === 'string' && TIMESTAMP.test(actual)
      ? []
      : [`${where}: ${JSON.stringify(actual)} is not an ISO 8601 UTC time`];
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      return [`${where}: not a list of ${expected.length}`];
    }
    return expected.flatMap((item, i) =>
      mismatches(actual[i], item, `${where}[${i}]`)
    );
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object') {
      return [`${where}: ${JSON.stringify(actual)} is not an object`];
    }
    const keys = Object.keys(actual).sort();
    const wanted = Object.keys(expected).sort();
    if (JSON.stringify(keys) !== JSON.stringify(wanted)) {
      return [`${where}: keys ${keys} instead of ${wanted}`];
    }
    return Object.entries(expected).flatMap(([key, item]) =>
      mismatches(actual[key], item, `${where}.${key}`)
    );
  }
  return actual === expected
    ? []
    : [
        `${where}: ${JSON.stringify(actual)} instead of ${JSON.stringify(expected)}`
      ];
}

/**
 * What the frontend sees of an answer: the JSON of a success, or the status,
 * message and field errors that `requestAPI` takes from an error's JSON.
 */
async function answer(
  api: FakeAPI,
  request: IExchange['request']
): Promise<{ status: number | 'ok'; body: unknown }> {
  try {
    const body = await api.requester(request.path, {
      method: request.method,
      body:
        request.body === undefined ? undefined : JSON.stringify(request.body)
    });
    return { status: 'ok', body };
  } catch (error) {
    if (!(error instanceof ConnectorsAPIError)) {
      throw error;
    }
    const errors = Object.keys(error.fieldErrors).length
      ? { errors: error.fieldErrors }
      : {};
    return {
      status: error.status,
      body: { message: error.message, ...errors }
    };
  }
}

describe("the model's fake API", () => {
  it('answers the exchanges of the server contract', async () => {
    const contract = JSON.parse(fs.readFileSync(CONTRACT, 'utf-8')) as {
      exchanges: IExchange[];
    };
    expect(contract.exchanges.length).toBeGreaterThan(10);
    const api = new FakeAPI();
    const values: Record<string, string> = {
      endpoint: 'http://127.0.0.1:9000'
    };
    for (const [number, exchange] of contract.exchanges.entries()) {
      const request = fill(exchange.request, values) as IExchange['request'];
      const label = `exchange ${number}: ${request.method} ${request.path}`;
      const got = await answer(api, request);
      const ok = exchange.status >= 200 && exchange.status < 300;
      expect({ label, status: got.status }).toEqual({
        label,
        status: ok ? 'ok' : exchange.status
      });
      expect({
        label,
        mismatches: mismatches(got.body, fill(exchange.body, values))
      }).toEqual({ label, mismatches: [] });
      for (const [name, key] of Object.entries(exchange.capture ?? {})) {
        values[name] = (got.body as Record<string, string>)[key];
      }
    }
  });

  it('is compared by a matcher that can fail', () => {
    expect(mismatches({ a: 1 }, { a: 1 })).toEqual([]);
    expect(mismatches({ a: 1, b: 2 }, { a: 1 })).not.toEqual([]);
    expect(mismatches({ a: true }, { a: 1 })).not.toEqual([]);
    expect(
      mismatches({ t: '2026-11-28 04:00' }, { t: '<timestamp>' })
    ).not.toEqual([]);
    expect(mismatches([1], [])).not.toEqual([]);
    expect(mismatches(null, '<string>')).not.toEqual([]);
    expect(mismatches('x', '<object>')).not.toEqual([]);
    expect(mismatches({ a: 1 }, '<object>')).toEqual([]);
  });
});
