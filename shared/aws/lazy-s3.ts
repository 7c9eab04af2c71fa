/**
 * The S3 client (claim checks, archived large bodies, replay), loaded on first use and never on a cold start.
 * Bundled by the stack, `process.env.SWITCHBOARD_CHUNKS` is the constant `separate` (esbuild `define`), the
 * source branch is dropped, and the module is the chunk file built beside `index.mjs` (`LAZY_CHUNKS`); in
 * tests and local mode the source module is imported. Each condition is written out so esbuild can fold it.
 */
export const loadS3Objects = (): Promise<typeof import('./s3-objects.js')> =>
  process.env.SWITCHBOARD_CHUNKS === 'separate'
    ? import(new URL('./s3-objects.mjs', import.meta.url).href)
    : import('./s3-objects.js');
