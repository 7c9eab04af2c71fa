import type * as StreamPromises from 'node:stream/promises';

type Pipeline = typeof StreamPromises.pipeline;

/**
 * What the bundles get for `node:stream/promises` (an esbuild alias, see `stream-web.ts`): middy imports
 * `pipeline` at its top for response streaming only. The real module is imported on first call; its name is
 * written without the `node:` prefix so the alias does not apply to it.
 */
export const pipeline = (async (...args: Parameters<Pipeline>) => {
  // biome-ignore lint/style/useNodejsImportProtocol: with `node:` the bundles' alias would resolve this to itself.
  const streams = await import('stream/promises');
  return streams.pipeline(...args);
}) as Pipeline;
