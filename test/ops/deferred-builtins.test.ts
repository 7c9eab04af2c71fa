import { Readable, Writable } from 'node:stream';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { BUNDLING, DEFERRED_BUILTINS } from '../../infra/config/bundling.js';
import { pipeline } from '../../shared/platform/build/stream-promises.js';
import { ReadableStream as DeferredReadableStream } from '../../shared/platform/build/stream-web.js';

/**
 * middy's response-streaming imports are kept off the cold start by esbuild aliases: the stand-ins must
 * answer as the real modules do, and the bundles must not import the real ones at their top.
 */
describe('deferred built-ins', () => {
  it('the ReadableStream stand-in answers instanceof as the real class does', () => {
    expect(new globalThis.ReadableStream() instanceof DeferredReadableStream).toBe(true);
    expect(Readable.from(['x']) instanceof DeferredReadableStream).toBe(false);
    expect({} instanceof DeferredReadableStream).toBe(false);
  });

  it('the pipeline stand-in pipes as the real one does', async () => {
    const chunks: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        chunks.push(String(chunk));
        done();
      },
    });
    await pipeline(Readable.from(['a', 'b']), sink);
    expect(chunks.join('')).toBe('ab');
  });

  it('the stack passes the aliases to esbuild, and a bundle built with them imports neither module', async () => {
    expect(BUNDLING.esbuildArgs).toEqual({
      '--alias:node:stream/web': DEFERRED_BUILTINS['node:stream/web'],
      '--alias:node:stream/promises': DEFERRED_BUILTINS['node:stream/promises'],
    });
    const result = await build({
      entryPoints: ['functions/webhook/handler.ts'],
      bundle: true,
      write: false,
      platform: 'node',
      format: 'esm',
      target: BUNDLING.target,
      mainFields: BUNDLING.mainFields,
      define: BUNDLING.define,
      alias: DEFERRED_BUILTINS,
      logLevel: 'silent',
    });
    const code = result.outputFiles[0]?.text ?? '';
    expect(code).toContain('@middy/core');
    expect(code).not.toMatch(/from\s*"node:stream\/(web|promises)"/);
  });
});
