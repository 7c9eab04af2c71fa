import { SwitchboardError } from '../../kernel/errors.js';
import { parseJsonObject } from '../../kernel/json.js';
import type { Env } from '../../platform/config/env.js';
import type { SecretSource } from '../../platform/secrets/meta-secrets.js';

/** Page access tokens: page ID → token, with `*` as the token for every other page. */
export type PageTokens = Record<string, string>;

export class MissingPageTokenError extends SwitchboardError {
  public constructor(pageId: string) {
    super(422, 'no_page_token', `no page access token is configured for page ${pageId}`, { pageId });
  }
}

export const parsePageTokens = (record: Record<string, unknown>): PageTokens => {
  const tokens: PageTokens = {};
  for (const [pageId, token] of Object.entries(record))
    if (typeof token === 'string' && token !== '') tokens[pageId] = token;
  return tokens;
};

/** Local mode: `META_PAGE_ACCESS_TOKENS` (JSON object) or `META_PAGE_ACCESS_TOKEN` (every page). */
export const envPageTokens = (env: Env): SecretSource<PageTokens> => {
  let tokens: PageTokens = {};
  const json = env.META_PAGE_ACCESS_TOKENS?.trim();
  if (json) {
    const record = parseJsonObject(json);
    if (record === undefined)
      throw new Error('META_PAGE_ACCESS_TOKENS must be a JSON object of page ID to token');
    tokens = parsePageTokens(record);
  }
  const single = env.META_PAGE_ACCESS_TOKEN?.trim();
  if (single) tokens['*'] = single;
  return { get: async () => tokens };
};

export const pageTokenFor =
  (source: SecretSource<PageTokens>, pageId: string) =>
  async (forceFetch: boolean): Promise<string> => {
    const tokens = await source.get(forceFetch);
    const token = tokens[pageId] ?? tokens['*'];
    if (token === undefined) throw new MissingPageTokenError(pageId);
    return token;
  };
