/* eslint-disable @typescript-eslint/no-explicit-any -- Node scripts driving a page */
/**
 * `BENCH_PROFILE=1`: where the page's time goes during a measured action.
 */
/**
 * With `BENCH_PROFILE=1`, a CPU profile of the page (Chrome DevTools
 * protocol) around a measured action.
 */
export async function startProfile(page: any): Promise<any> {
  if (!process.env.BENCH_PROFILE) {
    return null;
  }
  const session = await page.context().newCDPSession(page);
  await session.send('Profiler.enable');
  await session.send('Profiler.setSamplingInterval', { interval: 500 });
  await session.send('Profiler.start');
  return session;
}

/**
 * Print where a profile's time went: self time by script (the extension's
 * chunks, JupyterLab's and Lumino's, the rest) and the top functions.
 */
export async function stopProfile(session: any, label: string): Promise<void> {
  if (!session) {
    return;
  }
  const { profile } = await session.send('Profiler.stop');
  await session.detach();
  const nodes = new Map<number, any>(profile.nodes.map((n: any) => [n.id, n]));
  const self = new Map<number, number>();
  const deltas: number[] = profile.timeDeltas;
  profile.samples.forEach((id: number, i: number) => {
    self.set(id, (self.get(id) ?? 0) + (deltas[i] ?? 0) / 1000);
  });
  const byScript = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const [id, ms] of self) {
    const frame = nodes.get(id).callFrame;
    const url: string = frame.url || '(native)';
    const script = url.includes('jupyterlab-s3-connectors')
      ? 'extension'
      : url.includes('/static/')
        ? 'jupyterlab+lumino'
        : frame.functionName || url;
    byScript.set(script, (byScript.get(script) ?? 0) + ms);
    const fn = `${frame.functionName || '(anonymous)'} ${url.split('/').pop()}:${frame.lineNumber}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + ms);
  }
  const top = (map: Map<string, number>, n: number) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `    ${v.toFixed(0).padStart(6)} ms  ${k}`)
      .join('\n');
  console.log(
    `  profile ${label}:\n${top(byScript, 8)}\n  top functions:\n${top(byFunction, 15)}`
  );
}
