/**
 * The drive's base64 decoders in Chromium, where they use the platform's own
 * (`Uint8Array.fromBase64`, `setFromBase64`, `toBase64`), which Node lacks:
 * `src/drive/content.ts` is bundled with esbuild into a blank page, and every
 * case of `src/__tests__/base64_cases.json` (also checked by jest in Node), a
 * random mix of characters and a large chunk must decode as the portable
 * decoder does, whether to a new array or into a part.
 */
import { expect, test } from '@jupyterlab/galata';
import * as path from 'path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const esbuild = require(
  path.resolve(__dirname, '..', '..', 'node_modules', 'esbuild')
);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const base64Cases = require('../../src/__tests__/base64_cases.json');

/** `content.ts` as a script that sets `window.s3cContent`. */
function bundle(): string {
  const built = esbuild.buildSync({
    entryPoints: [
      path.resolve(__dirname, '..', '..', 'src', 'drive', 'content.ts')
    ],
    bundle: true,
    format: 'iife',
    globalName: 's3cContent',
    target: 'es2022',
    write: false
  });
  return built.outputFiles[0].text;
}

test('base64 decodes in Chromium as everywhere, to an array or into a part', async ({
  browser
}) => {
  const page = await browser.newPage();
  try {
    await page.addScriptTag({ content: bundle() });
    const result = await page.evaluate(
      ({ cases }: { cases: { text: string; bytes: number[] | string }[] }) => {
        const c = (window as any).s3cContent;
        const into = (text: string): Uint8Array | null => {
          const target = new Uint8Array(c.base64DecodedLength(text));
          const written = c.base64ToBytesInto(text, target);
          return written === null ? null : target.subarray(0, written);
        };
        const decoders: [string, (text: string) => Uint8Array][] = [
          ['base64ToBytes', c.base64ToBytes],
          [
            'native',
            t => c.Base64Decoders.native(t) ?? c.base64ToBytesPortable(t)
          ],
          ['into', t => into(t) ?? c.base64ToBytesPortable(t)]
        ];
        const decoded = (
          decode: (text: string) => Uint8Array,
          text: string
        ): number[] | string => {
          try {
            return Array.from(decode(text));
          } catch (error) {
            return error instanceof TypeError
              ? 'invalid'
              : `threw ${String(error)}`;
          }
        };
        const mismatches: unknown[] = [];
        // The table.
        for (const { text, bytes } of cases) {
          for (const [name, decode] of decoders) {
            const got = decoded(decode, text);
            if (JSON.stringify(got) !== JSON.stringify(bytes)) {
              mismatches.push({ name, text, got, expected: bytes });
            }
          }
        }
        // Any mix of characters, as the portable decoder reads it.
        const chars = 'AQgw+/-_= \n\t\r\f\v\u00a0\u0141$';
        let seed = 7;
        const random = (n: number) => {
          seed = (seed * 1103515245 + 12345) % 2147483648;
          return seed % n;
        };
        for (let i = 0; i < 5000; i++) {
          const text = Array.from(
            { length: random(14) },
            () => chars[random(chars.length)]
          ).join('');
          const expected = JSON.stringify(
            decoded(c.base64ToBytesPortable, text)
          );
          for (const [name, decode] of decoders) {
            const got = decoded(decode, text);
            if (JSON.stringify(got) !== expected) {
              mismatches.push({ name, text, got, expected });
            }
          }
        }
        // A large chunk, with MIME line breaks or not, and back.
        const large = Uint8Array.from(
          { length: 3 * 1024 * 1024 + 1 },
          (_, i) => (i * 31 + (i >> 9)) % 256
        );
        const text = c.bytesToBase64(large);
        const largeOk =
          text === c.bytesToBase64Portable(large) &&
          [text, text.replace(/.{76}/g, '$&\r\n')].every(t =>
            decoders.every(([, decode]) => {
              const out = decode(t);
              return (
                out.length === large.length &&
                out.every((b: number, i: number) => b === large[i])
              );
            })
          );
        // Decoding into a part writes there, and nowhere past what it says.
        const part = new Uint8Array(8).fill(7);
        const written = c.base64ToBytesInto('QUFB', part.subarray(2));
        return {
          platform: {
            fromBase64: typeof (Uint8Array as any).fromBase64 === 'function',
            setFromBase64:
              typeof (Uint8Array.prototype as any).setFromBase64 === 'function',
            toBase64:
              typeof (Uint8Array.prototype as any).toBase64 === 'function'
          },
          mismatches: mismatches.slice(0, 10),
          largeOk,
          written,
          part: Array.from(part)
        };
      },
      { cases: base64Cases.cases }
    );
    // Chromium has the platform decoders: the native paths are the ones run.
    expect(result.platform).toEqual({
      fromBase64: true,
      setFromBase64: true,
      toBase64: true
    });
    expect(result.mismatches).toEqual([]);
    expect(result.largeOk).toBe(true);
    expect(result.written).toBe(3);
    expect(result.part).toEqual([7, 7, 65, 65, 65, 7, 7, 7]);
  } finally {
    await page.close();
  }
});
