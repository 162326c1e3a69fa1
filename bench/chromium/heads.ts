/* eslint-disable @typescript-eslint/no-explicit-any -- Node scripts driving a page */
/**
 * Bench 9.11: the latency of `HeadObject` in the page, through the proxy
 * against direct (row 6 where users are). Both are the drive's own clients,
 * sending with Chromium's `fetch` (`headpage.ts`, bundled and injected).
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';

import { quantile } from '../lib/stats';
import { check, pageScript } from './setup';
import { IChromiumContext, IChromiumPair } from './types';

const KEY = 'head/object.txt';

export async function benchHeads(
  ctx: IChromiumContext
): Promise<IChromiumPair[]> {
  const { options, page, s3, bucket, ids, floorOptions } = ctx;
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: KEY,
      Body: new TextEncoder().encode('head'),
      ContentLength: 4,
      // moto refuses the CORS preflight of a private object's URL (it checks
      // the object's ACL on the unsigned OPTIONS; S3 does not): a public-read
      // object has its preflight answered, and Chromium keeps it
      // (Access-Control-Max-Age), with no routing to hold up the requests.
      ACL: 'public-read'
    })
  );
  await page.addScriptTag({ content: await pageScript('headpage.ts') });
  const o = {
    bucket,
    key: KEY,
    region: floorOptions.region,
    endpoint: floorOptions.endpoint,
    proxyId: ids.proxy,
    directId: ids.direct,
    accessKeyId: floorOptions.accessKeyId,
    secretAccessKey: floorOptions.secretAccessKey
  };
  process.stderr.write(
    `#9.11 HeadObject in the page, ${options.heads} each, proxy vs direct\n`
  );
  await page.evaluate(
    ([o, n]: [any, number]) => (window as any).s3cBenchHeads.warm(o, n),
    [o, 10]
  );
  // The CORS preflights Chromium sends meanwhile (DevTools sees them): the
  // direct client's HEADs reuse the first one.
  const cdp = await page.context().newCDPSession(page);
  let preflights = 0;
  cdp.on('Network.requestWillBeSent', (event: any) => {
    if (event.request.method === 'OPTIONS' && event.request.url.includes(KEY)) {
      preflights++;
    }
  });
  await cdp.send('Network.enable');
  const samples: { a: number[]; b: number[] } = await page.evaluate(
    ([o, n]: [any, number]) => (window as any).s3cBenchHeads.measure(o, n),
    [o, options.heads]
  );
  await cdp.detach();
  check(
    samples.a.length === options.heads && samples.b.length === options.heads,
    '9.11 has the wrong number of samples'
  );
  const p95 = (values: number[]) => quantile(values, 0.95);
  return [
    {
      id: '9.11',
      a: `Chromium: HeadObject through the proxy (the drive's client, n=${options.heads}), p50`,
      b: `the same direct, interleaved`,
      samples,
      target: 1.3,
      note:
        `p95 ${p95(samples.a).toFixed(1)} ms against ${p95(samples.b).toFixed(1)} ms ` +
        `(${(p95(samples.a) / p95(samples.b)).toFixed(2)}); ` +
        `${preflights} CORS preflight(s) for the ${options.heads} direct HEADs`,
      extra: { a_p95: p95(samples.a), b_p95: p95(samples.b), preflights }
    }
  ];
}
