import { isMetaId } from '../../kernel/ids.js';

/**
 * Instagram professional account → the Facebook Page it is linked to, written
 * `<instagramAccountId>=<pageId>,...` (env `META_INSTAGRAM_PAGES`, CDK context `switchboard:instagramPages`).
 * Throws naming every malformed pair.
 */
export const parseInstagramLinks = (text: string): Map<string, string> => {
  const links = new Map<string, string>();
  const wrong: string[] = [];
  for (const pair of text.split(',').map((part) => part.trim())) {
    if (pair === '') continue;
    const [account, page, extra] = pair.split('=').map((part) => part.trim());
    if (extra !== undefined || !isMetaId(account) || !isMetaId(page)) wrong.push(pair);
    else links.set(account, page);
  }
  if (wrong.length > 0) {
    throw new Error(
      `must be <instagramAccountId>=<pageId> pairs of Meta IDs, comma-separated; not: ${wrong.join(', ')}`,
    );
  }
  return links;
};
