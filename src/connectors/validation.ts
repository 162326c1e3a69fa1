import { nullTranslator, TranslationBundle } from '@jupyterlab/translation';

import { FieldErrors, IConnectorInput } from './types';

/**
 * Validate connector fields before anything is sent.
 *
 * The rules are the server's (which checks again); keeping them here lets the
 * form show every problem at once, next to the field at fault.
 */
export function validateConnector(
  input: IConnectorInput,
  options: validateConnector.IOptions = {}
): FieldErrors {
  const trans =
    options.trans ?? nullTranslator.load('jupyterlab_s3_connectors');
  const errors: FieldErrors = {};
  const check = (field: keyof IConnectorInput, message: string | null) => {
    if (message) {
      errors[field] = message;
    }
  };
  check('name', validateName(input.name, trans));
  check('description', validateDescription(input.description, trans));
  check('endpoint', validateEndpoint(input.endpoint, trans));
  check('region', validateRegion(input.region, trans));
  check('bucket', validateBucket(input.bucket, trans));
  check('prefix', validatePrefix(input.prefix, trans));
  check('access_key_id', validateAccessKeyId(input.access_key_id, trans));
  check(
    'secret_access_key',
    validateSecret(input.secret_access_key, !!options.isNew, trans)
  );
  if (input.mode !== 'read-only' && input.mode !== 'read-write') {
    errors.mode = trans.__('Choose read-only or read-write.');
  }
  if (input.backend !== 'proxy' && input.backend !== 'direct') {
    errors.backend = trans.__('Choose proxy or direct.');
  } else if (input.backend === 'direct' && options.allowDirect === false) {
    errors.backend = trans.__(
      'The administrator has disabled the direct backend: choose proxy.'
    );
  }
  return errors;
}

export namespace validateConnector {
  export interface IOptions {
    /** A new connector needs a secret key; an edited one may keep its own. */
    isNew?: boolean;
    /** Whether the server accepts the `direct` backend. */
    allowDirect?: boolean;
    trans?: TranslationBundle;
  }
}

export function validateName(
  name: string,
  trans: TranslationBundle
): string | null {
  if (!name) {
    return trans.__('A name is required.');
  }
  if (name.length < 2 || name.length > 63) {
    return trans.__('Use 2 to 63 characters.');
  }
  if (!/^[a-z0-9-]+$/.test(name)) {
    return trans.__('Use only lowercase letters, digits and hyphens.');
  }
  if (!/^[a-z]/.test(name)) {
    return trans.__('Start with a lowercase letter.');
  }
  if (name.endsWith('-')) {
    return trans.__('Do not end with a hyphen.');
  }
  return null;
}

export function validateDescription(
  description: string,
  trans: TranslationBundle
): string | null {
  if (description.length > 1000) {
    return trans.__('Use at most 1000 characters.');
  }
  return null;
}

export function validateEndpoint(
  endpoint: string,
  trans: TranslationBundle
): string | null {
  if (!endpoint) {
    return trans.__('An endpoint is required, such as https://s3.example.com');
  }
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return trans.__(
      'Enter an absolute URL starting with http:// or https://, such as https://s3.example.com'
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return trans.__('Use an http:// or https:// URL.');
  }
  if (!url.hostname) {
    return trans.__('The URL needs a host name.');
  }
  if (url.username || url.password) {
    return trans.__(
      'Remove the user name and password from the URL: credentials go in the key fields.'
    );
  }
  if (url.search || endpoint.includes('?')) {
    return trans.__('Remove the query (?…) from the URL.');
  }
  if (url.hash || endpoint.includes('#')) {
    return trans.__('Remove the fragment (#…) from the URL.');
  }
  if (/\s/.test(endpoint)) {
    return trans.__('Remove the spaces from the URL.');
  }
  if (endpoint.length > 2048 || !/^[\x21-\x7e]+$/.test(endpoint)) {
    return trans.__(
      'Write the URL in ASCII: an internationalized host name in its xn-- form, other characters percent-encoded.'
    );
  }
  return null;
}

export function validateRegion(
  region: string,
  trans: TranslationBundle
): string | null {
  if (region && !/^[a-z0-9-]{1,32}$/.test(region)) {
    return trans.__(
      'Use lowercase letters, digits and hyphens, such as us-east-1.'
    );
  }
  return null;
}

export function validateBucket(
  bucket: string,
  trans: TranslationBundle
): string | null {
  if (!bucket) {
    return trans.__('A bucket name is required.');
  }
  if (bucket.length < 3 || bucket.length > 63) {
    return trans.__('Bucket names have 3 to 63 characters.');
  }
  if (!/^[a-z0-9.-]+$/.test(bucket)) {
    return trans.__(
      'Bucket names use only lowercase letters, digits, dots and hyphens.'
    );
  }
  if (!/^[a-z0-9]/.test(bucket) || !/[a-z0-9]$/.test(bucket)) {
    return trans.__('Bucket names begin and end with a letter or a digit.');
  }
  if (bucket.includes('..')) {
    return trans.__('Bucket names cannot contain two dots in a row.');
  }
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(bucket)) {
    return trans.__('Bucket names cannot look like an IP address.');
  }
  return null;
}

export function validatePrefix(
  prefix: string,
  trans: TranslationBundle
): string | null {
  if (!prefix) {
    return null;
  }
  if (prefix.startsWith('/')) {
    return trans.__('Do not start the folder with "/".');
  }
  // The same rule as the server's: folders the proxy can never serve.
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(prefix)) {
    return trans.__('The folder cannot contain control characters.');
  }
  if (prefix.includes('\\')) {
    return trans.__('The folder cannot contain a backslash.');
  }
  if (prefix.split('/').some(segment => segment === '.' || segment === '..')) {
    return trans.__('The folder cannot contain a "." or ".." segment.');
  }
  if (
    /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(
      prefix
    )
  ) {
    return trans.__('The folder is not valid Unicode text.');
  }
  if (new TextEncoder().encode(prefix).length > 1024) {
    return trans.__('The folder is longer than 1024 bytes.');
  }
  return null;
}

export function validateAccessKeyId(
  keyId: string,
  trans: TranslationBundle
): string | null {
  if (!keyId) {
    return trans.__('An access key ID is required.');
  }
  if (keyId.length > 128 || !/^[\x21-\x7e]+$/.test(keyId)) {
    return trans.__(
      'Use up to 128 printable characters without spaces, as given by your storage provider.'
    );
  }
  return null;
}

export function validateSecret(
  secret: string,
  isNew: boolean,
  trans: TranslationBundle
): string | null {
  if (!secret) {
    return isNew ? trans.__('A secret access key is required.') : null;
  }
  if (secret.length > 256) {
    return trans.__('The secret key is longer than 256 characters.');
  }
  return null;
}
