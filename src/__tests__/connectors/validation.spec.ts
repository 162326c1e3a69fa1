import { readFileSync } from 'fs';
import { join } from 'path';

import { nullTranslator } from '@jupyterlab/translation';

import {
  connectorErrorCodes,
  validateConnector,
  validationMessage,
  ValidationCode
} from '../../connectors/validation';
import { IConnectorInput } from '../../connectors/types';

/** One case of the table shared with the server's tests. */
interface ICase {
  field: keyof IConnectorInput;
  /** A string, or pieces: a string or [string, times]. */
  value: string | (string | [string, number])[];
  code: ValidationCode | null;
  note?: string;
  isNew?: boolean;
  allowDirect?: boolean;
  unavailable?: string[];
  with?: Partial<IConnectorInput>;
}

const table: { base: IConnectorInput; cases: ICase[] } = JSON.parse(
  readFileSync(
    join(
      __dirname,
      '..',
      '..',
      '..',
      'jupyterlab_s3_connectors',
      'tests',
      'validation_cases.json'
    ),
    'utf-8'
  )
);

function valueOf(value: ICase['value']): string {
  if (typeof value === 'string') {
    return value;
  }
  return value
    .map(piece =>
      typeof piece === 'string' ? piece : piece[0].repeat(piece[1])
    )
    .join('');
}

function label(c: ICase): string {
  const value = valueOf(c.value);
  const shown =
    value.length <= 24 ? value : `${value.slice(0, 12)}…(${value.length})`;
  return `${c.field}=${JSON.stringify(shown)} -> ${c.code}`;
}

const trans = nullTranslator.load('jupyterlab_s3_connectors');

describe('the validation cases shared with the server', () => {
  it.each(table.cases.map(c => [label(c), c] as [string, ICase]))(
    '%s',
    (_label, c) => {
      const input = {
        ...table.base,
        ...(c.with ?? {}),
        [c.field]: valueOf(c.value)
      };
      const options = {
        isNew: c.isNew ?? true,
        allowDirect: c.allowDirect ?? true,
        unavailableBackends: Object.fromEntries(
          (c.unavailable ?? []).map(name => [name, ''])
        ),
        trans
      };
      const codes = connectorErrorCodes(input, options);
      expect(codes).toEqual(c.code ? { [c.field]: c.code } : {});
      const errors = validateConnector(input, options);
      expect(Object.keys(errors)).toEqual(c.code ? [c.field] : []);
      if (c.code) {
        expect(errors[c.field]).toBe(validationMessage(c.code, trans));
      }
    }
  );

  it('has a case for every rule', () => {
    const source = readFileSync(
      join(__dirname, '..', '..', 'connectors', 'validation.ts'),
      'utf-8'
    );
    const declared = new Set(
      [...source.matchAll(/^ {2}\| '([a-z_]+\.[a-z_]+)';?$/gm)].map(m => m[1])
    );
    const inTable = new Set(table.cases.map(c => c.code).filter(c => c));
    expect(declared.size).toBeGreaterThan(30);
    expect([...inTable].sort()).toEqual([...declared].sort());
  });
});

describe('validateConnector', () => {
  const valid = table.base;

  it('accepts a complete connector', () => {
    expect(validateConnector(valid, { isNew: true })).toEqual({});
  });

  it('gives a distinct message for every rule', () => {
    const codes = [...new Set(table.cases.map(c => c.code).filter(c => c))];
    const messages = codes.map(code => validationMessage(code!, trans));
    expect(messages.every(m => m.length > 10)).toBe(true);
    expect(new Set(messages).size).toBe(codes.length);
  });

  it('says which limit was passed', () => {
    expect(
      validateConnector({ ...valid, prefix: 'x'.repeat(1024) }).prefix
    ).toContain('1024 bytes');
  });

  it('reports every invalid field at once', () => {
    const errors = validateConnector(
      {
        ...valid,
        name: 'X',
        endpoint: 'nope',
        bucket: 'B',
        access_key_id: '',
        secret_access_key: ''
      },
      { isNew: true }
    );
    expect(Object.keys(errors).sort()).toEqual([
      'access_key_id',
      'bucket',
      'endpoint',
      'name',
      'secret_access_key'
    ]);
  });
});

describe('mount backends', () => {
  const valid = table.base;

  it("uses the server's reason when a backend cannot work there", () => {
    const reason =
      "The s3fs backend needs the 's3fs' command, which is not installed on the Jupyter server.";
    const errors = validateConnector(
      { ...valid, backend: 's3fs' },
      { isNew: true, unavailableBackends: { s3fs: reason } }
    );
    expect(errors).toEqual({ backend: reason });
    expect(
      validateConnector(
        { ...valid, backend: 'rclone' },
        { isNew: true, unavailableBackends: { s3fs: reason } }
      )
    ).toEqual({});
  });
});
