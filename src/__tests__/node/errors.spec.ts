import { toDriveError } from '../../drive/errors';

/** What the SDK throws when fetch never gets an answer. */
function networkFailure(): Error {
  const error = new TypeError('Failed to fetch');
  return error;
}

describe('toDriveError', () => {
  const context = { endpoint: 'http://127.0.0.1:9000', bucket: 'data' };

  it('says the bucket could not be reached, with the endpoint', () => {
    const error = toDriveError(
      Object.assign(new Error('connect ECONNREFUSED'), {
        code: 'ECONNREFUSED'
      }),
      context
    );
    expect(error.code).toBe('NetworkError');
    expect(error.message).toContain(
      'could not be reached at http://127.0.0.1:9000'
    );
    expect(error.message).not.toContain('CORS');
  });

  it('points to a missing CORS rule for a cross-origin endpoint', () => {
    const error = toDriveError(
      Object.assign(networkFailure(), { code: 'ECONNREFUSED' }),
      { ...context, crossOrigin: true }
    );
    expect(error.code).toBe('NetworkError');
    expect(error.message).toContain('CORS rule');
    expect(error.message).toContain('proxy backend');
  });

  it('asks to edit the key when the signature is refused', () => {
    const error = toDriveError(
      Object.assign(
        new Error('The request signature we calculated does not match'),
        {
          name: 'SignatureDoesNotMatch',
          $metadata: { httpStatusCode: 403 }
        }
      ),
      context
    );
    expect(error.message.toLowerCase()).toContain('edit the connector');
  });
});
