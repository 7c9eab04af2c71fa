import { describe, expect, it } from 'vitest';
import { readJson } from '../support/corpus.js';
import { useFakeGraph } from '../support/fake-graph.js';
import { useLocalStackWithGraph } from '../support/local-stack.js';

/**
 * `GET /v1/threads/{pageId}/{userId}?refresh=true` reads `thread_owner` under the thread's action lease, so a
 * reading taken before our own take is never recorded after it. Local mode; the Graph stand-in holds the
 * `thread_owner` answer (idle: what Meta read before the take) while a take is asked for.
 */
const graph = useFakeGraph();
const local = useLocalStackWithGraph(graph);
const PAGE = '1029384756102938';
const USER = '5000000000000101';

const ownerEvents = () =>
  local.stack.events.items
    .filter((event) => event.detail.userId === USER)
    .map((event) => event.detail.ownerAppId ?? null);

const until = async (condition: () => boolean) => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
};

describe('a refresh in flight and our own take', () => {
  it('never interleave: the take waits its turn, Meta is asked once, one event for one change', async () => {
    // Prepare
    const appId = local.stack.env.META_APP_ID;
    let answer: (() => void) | undefined;
    graph.on(`GET /${PAGE}/thread_owner`, async () => {
      await new Promise<void>((resolve) => {
        answer = resolve;
      });
      return { body: { data: [] } };
    });
    graph.on(`POST /${PAGE}/take_thread_control`, { body: { success: true } });
    const take = () =>
      readJson(local.stack, `/v1/threads/${PAGE}/${USER}/take`, { method: 'POST', body: '{}' });

    // Act: a refresh is sent; a take comes while Meta holds its answer; then the client takes again
    const refreshing = readJson(local.stack, `/v1/threads/${PAGE}/${USER}?refresh=true`);
    await until(() => answer !== undefined);
    const during = await take();
    answer?.();
    const refreshed = await refreshing;
    const after = await take();

    // Assess
    expect(during).toMatchObject({ status: 409, body: { error: 'action_in_progress' } });
    expect(refreshed).toMatchObject({ status: 200, body: { ownerAppId: null } });
    expect(after).toMatchObject({ status: 200, body: { ownerAppId: appId } });
    expect(graph.calls(`POST /${PAGE}/take_thread_control`)).toHaveLength(1);
    expect(ownerEvents()).toEqual([appId]);
  });
});
