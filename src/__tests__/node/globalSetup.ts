/**
 * Jest global set-up of the `node` project: two moto S3 servers, one with
 * the default page size and one listing 3 keys a page, and an s3rver.
 */
import { startMoto } from './moto';
import { startS3rver } from './s3rver';

export default async function globalSetup(): Promise<void> {
  // The SDK warns that its 2027 releases need Node 22; the version is pinned.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const [main, paged, s3rver] = await Promise.all([
    startMoto(),
    startMoto({ MOTO_S3_DEFAULT_MAX_KEYS: '3' }),
    startS3rver()
  ]);
  process.env.S3_TEST_ENDPOINT = main.endpoint;
  process.env.S3_TEST_PAGED_ENDPOINT = paged.endpoint;
  process.env.S3RVER_TEST_ENDPOINT = s3rver.endpoint;
  (globalThis as any).__MOTO_PROCESSES__ = [
    main.process,
    paged.process,
    s3rver.process
  ];
  (globalThis as any).__S3RVER_DIRECTORY__ = s3rver.directory;
}
