/** The replay's S3 reads, loaded on first use from the `s3-read.mjs` chunk: see `lazy-s3.ts`. */
export const loadS3Read = (): Promise<typeof import('./s3-read.js')> =>
  process.env.SWITCHBOARD_CHUNKS === 'separate'
    ? import(new URL('./s3-read.mjs', import.meta.url).href)
    : import('./s3-read.js');
