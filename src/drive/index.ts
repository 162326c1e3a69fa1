/**
 * The S3 drive and its transports.
 *
 * This module pulls in the AWS SDK: load it lazily (`await import('./drive')`)
 * so the SDK is a separate chunk, fetched only when a connector is activated.
 */

export * from './conditional';
export * from './content';
export * from './drive';
export * from './errors';
export * from './multipart';
export * from './paths';
export * from './requestPath';
export * from './transport';
export * from './fileUpload';
export type { IUploadFileOptions } from './writer';
