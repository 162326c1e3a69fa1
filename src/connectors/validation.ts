import { nullTranslator, TranslationBundle } from '@jupyterlab/translation';

import { FieldErrors, IConnectorInput } from './types';

/**
 * The stable key of each validation rule.
 *
 * The server's validator (`jupyterlab_s3_connectors/validation.py`) gives the
 * same codes for the same values: both are tested against one table of cases,
 * `jupyterlab_s3_connectors/tests/validation_cases.json`.
 */
export type ValidationCode =
  | 'name.required'
  | 'name.length'
  | 'name.charset'
  | 'name.start'
  | 'name.end'
  | 'description.unicode'
  | 'description.control'
  | 'description.length'
  | 'endpoint.required'
  | 'endpoint.spaces'
  | 'endpoint.ascii'
  | 'endpoint.url'
  | 'endpoint.scheme'
  | 'endpoint.userinfo'
  | 'endpoint.query'
  | 'endpoint.fragment'
  | 'endpoint.host'
  | 'endpoint.port'
  | 'endpoint.hostname'
  | 'region.format'
  | 'bucket.required'
  | 'bucket.length'
  | 'bucket.charset'
  | 'bucket.edges'
  | 'bucket.dots'
  | 'bucket.ip'
  | 'prefix.unicode'
  | 'prefix.leading_slash'
  | 'prefix.control'
  | 'prefix.backslash'
  | 'prefix.dot_segment'
  | 'prefix.bytes'
  | 'access_key_id.required'
  | 'access_key_id.format'
  | 'secret_access_key.required'
  | 'secret_access_key.length'
  | 'secret_access_key.unicode'
  | 'secret_access_key.control'
  | 'mode.choice'
  | 'backend.choice'
  | 'backend.disabled'
  | 'backend.unavailable'
  | 'credentials.choice'
  | 'credentials.backend';

/** Field name → the code of the rule it breaks. */
export type FieldCodes = Partial<Record<keyof IConnectorInput, ValidationCode>>;

/** The limits, the server's too. */
export const MAX_DESCRIPTION = 1000;
export const MAX_PREFIX_BYTES = 1024;
export const MAX_ENDPOINT = 2048;
export const MAX_SECRET = 256;

/**
 * Validate connector fields before anything is sent.
 *
 * The rules are the server's (which checks again); keeping them here lets the
 * form show every problem at once, next to the field at fault.
 *
 * @returns field → translated message, for the fields at fault
 */
export function validateConnector(
  input: IConnectorInput,
  options: validateConnector.IOptions = {}
): FieldErrors {
  const trans =
    options.trans ?? nullTranslator.load('jupyterlab_s3_connectors');
  const errors: FieldErrors = {};
  const codes = connectorErrorCodes(input, options);
  for (const field of Object.keys(codes) as (keyof IConnectorInput)[]) {
    errors[field] = validationMessage(codes[field]!, trans);
  }
  const reason = options.unavailableBackends?.[input.backend];
  if (codes.backend === 'backend.unavailable' && reason) {
    // The server's own words: which tool is missing, or why FUSE is unusable.
    errors.backend = reason;
  }
  return errors;
}

export namespace validateConnector {
  export interface IOptions {
    /** A new connector needs a secret key; an edited one may keep its own. */
    isNew?: boolean;
    /** Whether the server accepts the `direct` backend. */
    allowDirect?: boolean;
    /**
     * Mount backends that cannot work on the server → why (a tool missing,
     * FUSE unusable); an empty reason gets a generic message.
     */
    unavailableBackends?: Readonly<Record<string, string>>;
    trans?: TranslationBundle;
  }
}

/**
 * The code of the first rule each field breaks (fields that pass are absent).
 */
export function connectorErrorCodes(
  input: IConnectorInput,
  options: validateConnector.IOptions = {}
): FieldCodes {
  const serverCredentials = input.credentials === 'server';
  const codes: FieldCodes = {
    name: checkName(input.name),
    description: checkDescription(input.description),
    endpoint: checkEndpoint(input.endpoint),
    region: checkRegion(input.region),
    bucket: checkBucket(input.bucket),
    prefix: checkPrefix(input.prefix),
    // With the server's own credentials, the connector needs no key pair.
    access_key_id:
      serverCredentials && !input.access_key_id
        ? undefined
        : checkAccessKeyId(input.access_key_id),
    secret_access_key: checkSecret(
      input.secret_access_key,
      !!options.isNew && !serverCredentials
    ),
    mode:
      input.mode === 'read-only' || input.mode === 'read-write'
        ? undefined
        : 'mode.choice',
    backend: checkBackend(input.backend, options),
    credentials: checkCredentials(input)
  };
  for (const field of Object.keys(codes) as (keyof IConnectorInput)[]) {
    if (!codes[field]) {
      delete codes[field];
    }
  }
  return codes;
}

type Check = ValidationCode | undefined;

const BACKENDS = ['proxy', 'direct', 's3fs', 'rclone'];

export function checkBackend(
  backend: string,
  options: validateConnector.IOptions = {}
): Check {
  if (!BACKENDS.includes(backend)) {
    return 'backend.choice';
  }
  if (backend === 'direct' && options.allowDirect === false) {
    return 'backend.disabled';
  }
  if (
    options.unavailableBackends &&
    Object.prototype.hasOwnProperty.call(options.unavailableBackends, backend)
  ) {
    return 'backend.unavailable';
  }
  return undefined;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f]/;
// A description may hold tabs and line breaks, nothing else of the kind.
// eslint-disable-next-line no-control-regex
const TEXT_CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;
// eslint-disable-next-line no-control-regex
const SPACE_OR_CONTROL = /[\x00-\x20\x7f]/;
const LONE_SURROGATE =
  /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const HOST_LABELS =
  /^((?!-)[a-z0-9-]{1,63}(?<!-)\.)*((?!-)[a-z0-9-]{1,63}(?<!-))\.?$/i;
const IPV6_HOST = /^\[[0-9a-f:.]*:[0-9a-f:.]*\]$/i;

/** Length in characters (code points), as Python counts it. */
function length(value: string): number {
  return [...value].length;
}

export function checkName(name: string): Check {
  if (!name) {
    return 'name.required';
  }
  if (length(name) < 2 || length(name) > 63) {
    return 'name.length';
  }
  if (!/^[a-z0-9-]+$/.test(name)) {
    return 'name.charset';
  }
  if (!/^[a-z]/.test(name)) {
    return 'name.start';
  }
  if (name.endsWith('-')) {
    return 'name.end';
  }
  return undefined;
}

export function checkDescription(description: string): Check {
  if (LONE_SURROGATE.test(description)) {
    return 'description.unicode';
  }
  if (TEXT_CONTROL.test(description)) {
    return 'description.control';
  }
  if (length(description) > MAX_DESCRIPTION) {
    return 'description.length';
  }
  return undefined;
}

/** The checks, in order, are the server's too. */
export function checkEndpoint(endpoint: string): Check {
  if (!endpoint.trim()) {
    return 'endpoint.required';
  }
  if (SPACE_OR_CONTROL.test(endpoint)) {
    return 'endpoint.spaces';
  }
  if (endpoint.length > MAX_ENDPOINT || !/^[\x21-\x7e]+$/.test(endpoint)) {
    return 'endpoint.ascii';
  }
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(endpoint);
  if (!scheme) {
    return 'endpoint.url';
  }
  if (!['http', 'https'].includes(scheme[1].toLowerCase())) {
    return 'endpoint.scheme';
  }
  const after = endpoint.slice(scheme[0].length);
  if (!after.startsWith('//')) {
    return 'endpoint.url';
  }
  const authority = /^[^/?#]*/.exec(after.slice(2))![0];
  if (authority.includes('@')) {
    return 'endpoint.userinfo';
  }
  if (endpoint.includes('?')) {
    return 'endpoint.query';
  }
  if (endpoint.includes('#')) {
    return 'endpoint.fragment';
  }
  let host = authority;
  let port = '';
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']');
    if (close !== -1) {
      host = authority.slice(0, close + 1);
      port = authority.slice(close + 1);
    }
  } else if (authority.includes(':')) {
    const colon = authority.indexOf(':');
    host = authority.slice(0, colon);
    port = authority.slice(colon);
  }
  if (!host) {
    return 'endpoint.host';
  }
  if (
    port !== '' &&
    port !== ':' &&
    !(/^:\d+$/.test(port) && +port.slice(1) >= 1 && +port.slice(1) <= 65535)
  ) {
    return 'endpoint.port';
  }
  const hostOk = host.startsWith('[')
    ? IPV6_HOST.test(host)
    : host.length <= 255 && HOST_LABELS.test(host);
  if (!hostOk) {
    return 'endpoint.hostname';
  }
  return undefined;
}

export function checkRegion(region: string): Check {
  return region && !/^[a-z0-9-]{1,32}$/.test(region)
    ? 'region.format'
    : undefined;
}

export function checkBucket(bucket: string): Check {
  if (!bucket) {
    return 'bucket.required';
  }
  if (length(bucket) < 3 || length(bucket) > 63) {
    return 'bucket.length';
  }
  if (!/^[a-z0-9.-]+$/.test(bucket)) {
    return 'bucket.charset';
  }
  if (!/^[a-z0-9]/.test(bucket) || !/[a-z0-9]$/.test(bucket)) {
    return 'bucket.edges';
  }
  if (bucket.includes('..')) {
    return 'bucket.dots';
  }
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(bucket)) {
    return 'bucket.ip';
  }
  return undefined;
}

/**
 * Folders the proxy can never serve are refused; the 1024-byte limit of S3
 * keys applies to the folder as stored (UTF-8, with its final '/').
 */
export function checkPrefix(prefix: string): Check {
  if (!prefix) {
    return undefined;
  }
  if (LONE_SURROGATE.test(prefix)) {
    return 'prefix.unicode';
  }
  if (prefix.startsWith('/')) {
    return 'prefix.leading_slash';
  }
  if (CONTROL.test(prefix)) {
    return 'prefix.control';
  }
  if (prefix.includes('\\')) {
    return 'prefix.backslash';
  }
  if (prefix.split('/').some(segment => segment === '.' || segment === '..')) {
    return 'prefix.dot_segment';
  }
  const stored = prefix.endsWith('/') ? prefix : `${prefix}/`;
  if (new TextEncoder().encode(stored).length > MAX_PREFIX_BYTES) {
    return 'prefix.bytes';
  }
  return undefined;
}

/** Where the key comes from: the connector's own pair, or the server's. */
export function checkCredentials(input: IConnectorInput): Check {
  const credentials = input.credentials ?? 'key';
  if (credentials !== 'key' && credentials !== 'server') {
    return 'credentials.choice';
  }
  if (credentials === 'server' && input.backend !== 'proxy') {
    return 'credentials.backend';
  }
  return undefined;
}

export function checkAccessKeyId(keyId: string): Check {
  if (!keyId) {
    return 'access_key_id.required';
  }
  if (keyId.length > 128 || !/^[\x21-\x7e]+$/.test(keyId)) {
    return 'access_key_id.format';
  }
  return undefined;
}

export function checkSecret(secret: string, isNew: boolean): Check {
  if (!secret) {
    return isNew ? 'secret_access_key.required' : undefined;
  }
  if (length(secret) > MAX_SECRET) {
    return 'secret_access_key.length';
  }
  if (LONE_SURROGATE.test(secret)) {
    return 'secret_access_key.unicode';
  }
  if (CONTROL.test(secret)) {
    return 'secret_access_key.control';
  }
  return undefined;
}

/**
 * The message of a rule, for the person filling in the form.
 */
export function validationMessage(
  code: ValidationCode,
  trans: TranslationBundle
): string {
  switch (code) {
    case 'name.required':
      return trans.__('A name is required.');
    case 'name.length':
      return trans.__('Use 2 to 63 characters.');
    case 'name.charset':
      return trans.__('Use only lowercase letters, digits and hyphens.');
    case 'name.start':
      return trans.__('Start with a lowercase letter.');
    case 'name.end':
      return trans.__('Do not end with a hyphen.');
    case 'description.unicode':
      return trans.__('The description is not valid Unicode text.');
    case 'description.control':
      return trans.__(
        'The description cannot contain control characters (line breaks and tabs are fine).'
      );
    case 'description.length':
      return trans.__('Use at most %1 characters.', MAX_DESCRIPTION);
    case 'endpoint.required':
      return trans.__(
        'An endpoint is required, such as https://s3.example.com'
      );
    case 'endpoint.spaces':
      return trans.__('Remove the spaces and control characters from the URL.');
    case 'endpoint.ascii':
      return trans.__(
        'Write the URL in ASCII: an internationalized host name in its xn-- form, other characters percent-encoded.'
      );
    case 'endpoint.url':
      return trans.__(
        'Enter an absolute URL starting with http:// or https://, such as https://s3.example.com'
      );
    case 'endpoint.scheme':
      return trans.__('Use an http:// or https:// URL.');
    case 'endpoint.userinfo':
      return trans.__(
        'Remove the user name and password from the URL: credentials go in the key fields.'
      );
    case 'endpoint.query':
      return trans.__('Remove the query (?…) from the URL.');
    case 'endpoint.fragment':
      return trans.__('Remove the fragment (#…) from the URL.');
    case 'endpoint.host':
      return trans.__('The URL needs a host name.');
    case 'endpoint.port':
      return trans.__('The port must be a number from 1 to 65535.');
    case 'endpoint.hostname':
      return trans.__(
        'The host name is not valid: use letters, digits, hyphens and dots (at most 63 characters between dots), an IPv4 address or an IPv6 one in brackets.'
      );
    case 'region.format':
      return trans.__(
        'Use lowercase letters, digits and hyphens, such as us-east-1.'
      );
    case 'bucket.required':
      return trans.__('A bucket name is required.');
    case 'bucket.length':
      return trans.__('Bucket names have 3 to 63 characters.');
    case 'bucket.charset':
      return trans.__(
        'Bucket names use only lowercase letters, digits, dots and hyphens.'
      );
    case 'bucket.edges':
      return trans.__('Bucket names begin and end with a letter or a digit.');
    case 'bucket.dots':
      return trans.__('Bucket names cannot contain two dots in a row.');
    case 'bucket.ip':
      return trans.__('Bucket names cannot look like an IP address.');
    case 'prefix.unicode':
      return trans.__('The folder is not valid Unicode text.');
    case 'prefix.leading_slash':
      return trans.__('Do not start the folder with "/".');
    case 'prefix.control':
      return trans.__('The folder cannot contain control characters.');
    case 'prefix.backslash':
      return trans.__('The folder cannot contain a backslash.');
    case 'prefix.dot_segment':
      return trans.__('The folder cannot contain a "." or ".." segment.');
    case 'prefix.bytes':
      return trans.__(
        'The folder, with its final "/", is longer than %1 bytes in UTF-8.',
        MAX_PREFIX_BYTES
      );
    case 'access_key_id.required':
      return trans.__('An access key ID is required.');
    case 'access_key_id.format':
      return trans.__(
        'Use up to 128 printable characters without spaces, as given by your storage provider.'
      );
    case 'secret_access_key.required':
      return trans.__('A secret access key is required.');
    case 'secret_access_key.length':
      return trans.__(
        'The secret key is longer than %1 characters.',
        MAX_SECRET
      );
    case 'secret_access_key.unicode':
      return trans.__('The secret key is not valid Unicode text.');
    case 'secret_access_key.control':
      return trans.__(
        'The secret key cannot contain line breaks or control characters.'
      );
    case 'mode.choice':
      return trans.__('Choose read-only or read-write.');
    case 'backend.choice':
      return trans.__('Choose proxy, direct, s3fs or rclone.');
    case 'backend.disabled':
      return trans.__(
        'The administrator has disabled the direct backend: choose proxy.'
      );
    case 'backend.unavailable':
      return trans.__(
        'This backend cannot work on this Jupyter server (its mount tool or FUSE is missing): choose another.'
      );
    case 'credentials.choice':
      return trans.__("Choose an access key or the server's own credentials.");
    case 'credentials.backend':
      return trans.__(
        "The server's own AWS credentials are used through the proxy backend only: choose proxy, or give an access key."
      );
  }
}
