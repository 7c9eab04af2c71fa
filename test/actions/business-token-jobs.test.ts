import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryDeadLetters } from '../../local/dead-letters.js';
import { MemorySecretStore } from '../../local/secret-store.js';
import { FETCH_LEASE_MS } from '../../shared/domains/wabas/business-tokens.js';
import { businessTokenJobHandler } from '../../shared/domains/wabas/jobs.js';
import { GraphClient } from '../../shared/platform/graph/client.js';
import { Telemetry } from '../../shared/platform/observability/telemetry.js';
import { useLocalTables } from '../support/dynamo.js';
import { type FakeReply, useFakeGraph } from '../support/fake-graph.js';
import { sqsRecord } from '../support/sqs.js';
import { held, until } from '../support/waiting.js';

/**
 * Business-token jobs as SQS delivers them: the WABAs consumer queues one per PARTNER_ADDED delivery, so Meta's
 * duplicates become duplicate jobs, each its own message. One fetch per business and solution; a duplicate that
 * finds the same job being fetched by another message is done (that message carries the work, and is retried
 * by its queue if its holder dies); nothing here may depend on how long a fetch takes. Time is a clock the test
 * moves.
 */
const graph = useFakeGraph();
const clock = { now: 1_800_000_000_000 };
const tables = useLocalTables(() => clock.now);
const SOLUTION = '303610109049230';
const FETCH = `GET /${SOLUTION}/access_token`;
/** A business of its own per test: a token stored by an earlier test would be found instead of fetched. */
let business = 6143763655652500;
const secretOf = (businessId: number) => `switchboard/business-tokens/${businessId}`;
const TOKEN: FakeReply = { body: { data: [{ access_token: 'EAAG-business-token' }] } };
let store: MemorySecretStore;

const jobFor = (wabaId: string) =>
  JSON.stringify({ v: 1, wabaId, solutionId: SOLUTION, businessId: String(business) });

/** The actions function's handler of version-1 jobs (the business-token jobs), as its batch runs each record. */
const handler = () => {
  const client = new GraphClient({
    baseUrl: graph.base,
    token: async () => 'system-user-token',
    sleep: async () => undefined,
    maxAttempts: 1,
  });
  return businessTokenJobHandler({
    tokens: {
      graph: client,
      wabas: tables.wabas,
      store,
      secretPrefix: 'switchboard/business-tokens/',
      control: tables.control,
      now: () => clock.now,
    },
    telemetry: new Telemetry('actions'),
    deadLetters: new MemoryDeadLetters(),
  });
};

/** One receive of one message: the message IDs the batch reports for retry (toward the DLQ). */
const receive = async (actions: ReturnType<typeof handler>, messageId: string, wabaId: string) => {
  try {
    await actions(sqsRecord(jobFor(wabaId), messageId));
    return [];
  } catch {
    return [messageId];
  }
};

/** The WABA as the WABAs consumer left it before queueing its job: onboarded through our solution. */
const onboarded = (...wabaIds: string[]) =>
  Promise.all(
    wabaIds.map((wabaId) =>
      tables.wabas.apply({
        type: 'change',
        wabaId,
        event: 'PARTNER_ADDED',
        timeMs: clock.now,
        eventId: `added-${wabaId}`,
        receivedBy: '506914307656634',
        wabaInfo: { ownerBusinessId: String(business), solutionId: SOLUTION, partnerBusinessIds: [] },
        details: {},
      }),
    ),
  );

/** A fetch Meta has not answered yet: in progress for as long as the test wants. */
const inProgress = () => {
  const answer = held<FakeReply>();
  return { route: () => answer.promise, release: answer.release };
};

const fetchesReached = (count: number) => until(() => graph.calls(FETCH).length >= count);

beforeEach(() => {
  store = new MemorySecretStore();
  business += 1;
  clock.now += 10 * FETCH_LEASE_MS; // every test starts with every earlier lease lapsed
});

describe('business-token jobs: a duplicate of the fetch in progress is done, not a retry toward the DLQ', () => {
  it('a duplicate message of the job being fetched succeeds at once; one fetch, one secret write', async () => {
    // Prepare: the first message holds the fetch (Meta has not answered yet).
    await onboarded('102290129340398');
    const answer = inProgress();
    graph.on(FETCH, answer.route);
    const actions = handler();
    const holding = receive(actions, 'first', '102290129340398');
    await fetchesReached(1);

    // Act: Meta's duplicate delivery queued the same job again, as another message.
    const duplicate = await receive(actions, 'duplicate', '102290129340398');
    answer.release(TOKEN);
    const first = await holding;

    // Assess
    expect(duplicate).toEqual([]);
    expect(first).toEqual([]);
    expect(graph.calls(FETCH)).toHaveLength(1);
    expect(store.writes).toBe(1);
    expect((await tables.wabas.get('102290129340398'))?.businessTokenSecret).toBe(secretOf(business));
  });

  it('the same message received again while its first receive holds the fetch is retried, not done', async () => {
    await onboarded('102290129340391');
    const answer = inProgress();
    graph.on(FETCH, answer.route);
    const actions = handler();
    const holding = receive(actions, 'first', '102290129340391');
    await fetchesReached(1);

    const again = await receive(actions, 'first', '102290129340391');
    answer.release(TOKEN);
    await holding;

    expect(again).toEqual(['first']);
    expect(graph.calls(FETCH)).toHaveLength(1);
  });

  it('another WABA of the business waits for the fetch (retried), then records the stored token without a fetch', async () => {
    await onboarded('102290129340392', '102290129340393');
    const answer = inProgress();
    graph.on(FETCH, answer.route);
    const actions = handler();
    const holding = receive(actions, 'first', '102290129340392');
    await fetchesReached(1);

    const whileFetching = await receive(actions, 'other-waba', '102290129340393');
    answer.release(TOKEN);
    await holding;
    const retried = await receive(actions, 'other-waba', '102290129340393');

    expect(whileFetching).toEqual(['other-waba']);
    expect(retried).toEqual([]);
    expect(graph.calls(FETCH)).toHaveLength(1);
    expect((await tables.wabas.get('102290129340393'))?.businessTokenSecret).toBe(secretOf(business));
  });

  it('the holder killed mid-fetch: the duplicates are done, its own message fetches once its lease lapses', async () => {
    // Prepare: the first fetch never gets its answer (its process is gone); a later one is answered.
    await onboarded('102290129340394');
    const lost = inProgress();
    graph.on(FETCH, lost.route, TOKEN);
    const actions = handler();
    const killed = receive(actions, 'first', '102290129340394');
    await fetchesReached(1);

    // Act: duplicates arrive while the dead holder's lease runs; its message comes back before and after it lapses.
    const duplicates = [
      await receive(actions, 'duplicate-1', '102290129340394'),
      await receive(actions, 'duplicate-2', '102290129340394'),
    ];
    clock.now += 1_000;
    const beforeLapse = await receive(actions, 'first', '102290129340394');
    clock.now += FETCH_LEASE_MS;
    const afterLapse = await receive(actions, 'first', '102290129340394');
    const later = await receive(actions, 'duplicate-3', '102290129340394');

    // Assess: two requests reached Meta (the lost one and the retry), one token was stored, nothing is left to retry.
    expect(duplicates).toEqual([[], []]);
    expect(beforeLapse).toEqual(['first']);
    expect(afterLapse).toEqual([]);
    expect(later).toEqual([]);
    expect(graph.calls(FETCH)).toHaveLength(2);
    expect(store.writes).toBe(1);
    expect((await tables.wabas.get('102290129340394'))?.businessTokenSecret).toBe(secretOf(business));
    // The lost answer finally comes back as a failure: the zombie stores nothing.
    lost.release({ status: 400, body: { error: { message: 'gone', code: 1 } } });
    await killed;
    expect(store.writes).toBe(1);
  });
});
