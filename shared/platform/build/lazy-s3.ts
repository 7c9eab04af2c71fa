/**
 * The S3 client, loaded on first use and never on a cold start: `PutObject` (claim checks, large archived
 * bodies) here; the archive read back for a replay in `lazy-s3-read.ts`, a chunk of its own, so that each
 * function's code reaches only the calls it makes (a dynamic import is part of its module's graph). Bundled
 * by the stack, `process.env.SWITCHBOARD_CHUNKS` is the constant `separate` (esbuild `define`), the source
 * branch is dropped, and the module is the chunk file built beside `index.mjs` (`LAZY_CHUNKS`); in tests and
 * local mode the source module is imported. Each condition is written out so esbuild can fold it.
 */
export const loadS3Put = (): Promise<typeof import('./s3-put.js')> =>
  process.env.SWITCHBOARD_CHUNKS === 'separate'
    ? import(new URL('./s3-put.mjs', import.meta.url).href)
    : import('./s3-put.js');
