/* eslint-disable @typescript-eslint/no-explicit-any -- Node scripts driving a page */
/**
 * moto answers the CORS preflight of an existing object's URL with a 403
 * (`OPTIONS /bench-ui/data.csv?x-id=GetObject`), although the bucket's CORS
 * rule allows it; S3 answers it. The rows that read, overwrite or copy
 * existing objects from the page (9.5–9.10) have the page's requests to moto
 * routed through Playwright meanwhile: a preflight is answered as the
 * bucket's rule would (any origin, the asked method and headers, the exposed
 * headers), every other request goes on to moto unchanged. The routing adds
 * the same pause to the direct backend's requests and to the floor's.
 */
const EXPOSE = [
  'ETag',
  'x-amz-version-id',
  'Content-Range',
  'Content-Length',
  'Last-Modified'
].join(', ');

/**
 * Answer the page's CORS preflights to `origin` until the returned function
 * is called.
 */
export async function answerPreflights(
  page: any,
  origin: string
): Promise<() => Promise<void>> {
  const matches = (url: URL) => url.origin === origin;
  const handler = async (route: any) => {
    const request = route.request();
    if (request.method() !== 'OPTIONS') {
      await route.continue();
      return;
    }
    const headers = await request.allHeaders();
    await route.fulfill({
      status: 200,
      headers: {
        'Access-Control-Allow-Origin': headers['origin'] ?? '*',
        'Access-Control-Allow-Methods':
          headers['access-control-request-method'] ??
          'GET, PUT, POST, DELETE, HEAD',
        'Access-Control-Allow-Headers':
          headers['access-control-request-headers'] ?? '*',
        'Access-Control-Expose-Headers': EXPOSE,
        'Access-Control-Max-Age': '600'
      },
      body: ''
    });
  };
  await page.route(matches, handler);
  return () => page.unroute(matches, handler);
}
