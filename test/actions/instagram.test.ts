import { beforeEach, describe, expect, it } from 'vitest';
import { clearTables, deliver, readJson } from '../support/corpus.js';
import { useFakeGraph } from '../support/fake-graph.js';
import { useLocalStackWithGraph } from '../support/local-stack.js';

/**
 * Instagram handovers name the Instagram professional account; Meta's conversation-control calls go to the
 * Facebook Page linked to it, with that Page's token and the IGSID (Meta's Instagram Conversation Control
 * APIs page). With no configured link, the link is discovered from the Pages we hold tokens for.
 */
const ACCOUNT = '17841400538867190';
const PAGE = '542998526103632';
const IGSID = '1129842642640637';
const graph = useFakeGraph();
const local = useLocalStackWithGraph(graph, {
  META_PAGE_ACCESS_TOKEN: '',
  META_PAGE_ACCESS_TOKENS: JSON.stringify({ [PAGE]: 'token-of-the-linked-page', '337106283741938': 'other' }),
});

const instagramPass = (account: string) => ({
  object: 'instagram',
  entry: [
    {
      id: account,
      time: 1763800000000,
      messaging: [
        {
          sender: { id: IGSID },
          recipient: { id: account },
          timestamp: 1763800000000,
          pass_thread_control: {
            previous_owner_app_id: '1217981644879628',
            new_owner_app_id: '21202248997039',
          },
        },
      ],
    },
  ],
});

beforeEach(() => clearTables(local.stack));

describe('Instagram threads are acted on through their linked Page', () => {
  it('discovers the Page from instagram_business_account and calls Meta there, with its token', async () => {
    graph.on(`GET /${PAGE}`, { body: { id: PAGE, instagram_business_account: { id: ACCOUNT } } });
    graph.on('GET /337106283741938', { body: { id: '337106283741938' } });
    graph.on(`POST /${PAGE}/release_thread_control`, { body: { success: true } });
    await deliver(local.stack, instagramPass(ACCOUNT));

    const released = await readJson(local.stack, `/v1/threads/${ACCOUNT}/${IGSID}/release`, {
      method: 'POST',
    });

    expect(released.status, JSON.stringify(released.body)).toBe(200);
    expect(released.body).toMatchObject({
      pageId: ACCOUNT,
      platform: 'instagram',
      instagramAccountId: ACCOUNT,
      controlPageId: PAGE,
      idle: true,
    });
    const [call] = graph.calls(`POST /${PAGE}/release_thread_control`);
    expect(call?.authorization).toBe('Bearer token-of-the-linked-page');
    expect(JSON.parse(call?.query.recipient ?? '{}')).toEqual({ id: IGSID });
    expect(graph.requests.some((request) => request.path.includes(`/${ACCOUNT}/`))).toBe(false);
  });

  it('an Instagram thread whose Page cannot be found is a 422 naming the fix, and Meta is not acted on', async () => {
    graph.fallback({ body: { id: 'x' } });
    await deliver(local.stack, instagramPass('17841499999999999'));

    const refused = await readJson(local.stack, `/v1/threads/17841499999999999/${IGSID}/release`, {
      method: 'POST',
    });

    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({
      error: 'instagram_page_unknown',
      instagramAccountId: '17841499999999999',
    });
    expect(String(refused.body.message)).toContain('META_INSTAGRAM_PAGES');
    expect(graph.requests.filter((request) => request.method === 'POST')).toEqual([]);
  });
});
