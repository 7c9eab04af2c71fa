/**
 * The SQS client for one-off sends (dead letters, business-token jobs), loaded on first use and
 * never on a cold start. Bundled by the stack, `process.env.SWITCHBOARD_CHUNKS` is the constant `separate`
 * (esbuild `define`), the source branch is dropped, and the module is the chunk file built beside `index.mjs`
 * (`LAZY_CHUNKS`); in tests and local mode the source module is imported. Each condition is written out so
 * esbuild can fold it.
 */
export const loadSqsSend = (): Promise<typeof import('./sqs-send.js')> =>
  process.env.SWITCHBOARD_CHUNKS === 'separate'
    ? import(new URL('./sqs-send.mjs', import.meta.url).href)
    : import('./sqs-send.js');
