import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { EXAMPLE, FIXTURES } from '../../fixtures/deliveries.js';
import { MemorySecretStore } from '../../local/secret-store.js';
import { fetchBusinessToken } from '../../shared/domains/wabas/business-tokens.js';
import { GraphClient } from '../../shared/platform/graph/client.js';
import { ControlTable } from '../../shared/platform/store/control.js';
import { clearTables, deliver, readJson } from '../support/corpus.js';
import { type FakeReply, useFakeGraph } from '../support/fake-graph.js';
import { postSigned, useLocalStackWithGraph } from '../support/local-stack.js';
import { held, until } from '../support/waiting.js';

/**
 * Duplicates, redrives and concurrency must not repeat an effect on Meta: one business-token fetch (and one
 * secret write) per customer business and solution, one Graph call per action however many callers race,
 * and none for a retried request that carries the same Idempotency-Key.
 */
const graph = useFakeGraph();
// Local mode's own queue timing (useLocalStack's default): a token job comes back only after the fetch lease
// (40 s), so no busy machine sees a fetch still running when its own message is received again.
const local = useLocalStackWithGraph(graph, { BUSINESS_TOKENS_ENABLED: 'true' });
const PAGE = '1029384756102938';
const SOLUTION = EXAMPLE.createdSolutionId;

beforeEach(() => clearTables(local.stack));

const post = (path: string, body: unknown = {}, headers: Record<string, string> = {}) =>
  readJson(local.stack, path, { method: 'POST', body: JSON.stringify(body), headers });

const appId = () => local.stack.env.META_APP_ID;

/**
 * Runs concurrent calls while Meta holds its answer to the one that got through: once all but one are answered
 * (refused meanwhile), Meta answers `reply`. Counted, never timed: a slow machine only takes longer.
 */
const whileHeld = async <T>(
  answer: ReturnType<typeof held<FakeReply>>,
  calls: Promise<T>[],
  reply: FakeReply,
) => {
  let answered = 0;
  for (const call of calls) void call.then(() => (answered += 1));
  await until(() => answered >= calls.length - 1);
  answer.release(reply);
  return Promise.all(calls);
};

const pendingSolution = async () => {
  await deliver(local.stack, FIXTURES['solution-created']?.body);
};

describe('business tokens: fetched once per customer business and solution', () => {
  it('100 duplicate PARTNER_ADDED deliveries (20 at a time): 1 token fetch, 1 secret write', async () => {
    graph.on(`GET /${EXAMPLE.solutionId}/access_token`, {
      body: { data: [{ access_token: 'EAAG-business-token' }] },
      delayMs: 50,
    });
    const writesBefore = local.stack.secretStore.writes;
    const body = JSON.stringify(FIXTURES['partner-added']?.body);
    for (let wave = 0; wave < 5; wave++) {
      const answers = await Promise.all(
        Array.from({ length: 20 }, () =>
          postSigned(local.stack.url, body, local.stack.env.META_APP_SECRET ?? ''),
        ),
      );
      expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(200));
    }
    await local.stack.drain();

    expect(graph.calls(`GET /${EXAMPLE.solutionId}/access_token`)).toHaveLength(1);
    expect(local.stack.secretStore.writes - writesBefore).toBe(1);
    const waba = await readJson(local.stack, `/v1/wabas/${EXAMPLE.wabaId}`);
    expect(waba.body.businessTokenSecret).toBe(`switchboard/business-tokens/${EXAMPLE.customerBusinessId}`);
    expect(local.stack.businessTokenQueue.dlq?.bodies()).toEqual([]);
  });

  it('20 messages of the same job at once: 1 fetch; the others find the token or leave it to the fetching one', async () => {
    graph.on(`GET /${EXAMPLE.solutionId}/access_token`, {
      body: { data: [{ access_token: 'EAAG-business-token' }] },
      delayMs: 200,
    });
    const store = new MemorySecretStore();
    const deps = {
      graph: new GraphClient({ baseUrl: graph.base, token: async () => 'system-user-token' }),
      wabas: local.stack.repositories.wabas,
      store,
      control: new ControlTable(local.stack.dynamo.client, local.stack.dynamo.tableNames.control),
      secretPrefix: 'concurrent/',
    };
    const job = {
      v: 1 as const,
      wabaId: '102290129340398',
      solutionId: EXAMPLE.solutionId,
      businessId: '99887766554433',
    };
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, index) => fetchBusinessToken(deps, job, `message-${index}`)),
    );
    expect(graph.calls(`GET /${EXAMPLE.solutionId}/access_token`)).toHaveLength(1);
    expect(store.writes).toBe(1);
    const stored = outcomes.filter((outcome) => 'secretName' in outcome);
    expect(stored.length).toBeGreaterThanOrEqual(1);
    for (const outcome of outcomes)
      expect(outcome).toEqual(
        'secretName' in outcome
          ? { secretName: 'concurrent/99887766554433' }
          : { carriedBy: expect.any(String) },
      );
    // A job redelivered once the fetch is done only records where the token is kept.
    await expect(fetchBusinessToken(deps, job, 'message-0')).resolves.toEqual({
      secretName: 'concurrent/99887766554433',
    });
    expect(graph.calls(`GET /${EXAMPLE.solutionId}/access_token`)).toHaveLength(1);
  });

  it('tokens refresh fetches again on request, and says 404 for a business never onboarded', async () => {
    graph.on(`GET /${EXAMPLE.solutionId}/access_token`, {
      body: { data: [{ access_token: 'EAAG-rotated' }] },
    });
    await deliver(local.stack, FIXTURES['partner-added']?.body);
    await local.stack.drain();
    const fetched = graph.calls(`GET /${EXAMPLE.solutionId}/access_token`).length;

    const refreshed = await post(`/v1/business-tokens/${EXAMPLE.customerBusinessId}/refresh`);
    const unknown = await post('/v1/business-tokens/111111111111111/refresh');

    expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
    expect(refreshed.body).toMatchObject({
      businessId: EXAMPLE.customerBusinessId,
      refreshed: [{ solutionId: EXAMPLE.solutionId }],
    });
    expect(graph.calls(`GET /${EXAMPLE.solutionId}/access_token`)).toHaveLength(fetched + 1);
    expect(unknown.status).toBe(404);
  });
});

describe('actions: one call to Meta per action, whatever races or retries', () => {
  it('20 concurrent take calls on one thread: 1 Graph call, 1 answer 200, 19 answers 409 action_in_progress', async () => {
    // Prepare: Meta answers the take only once every other call has been answered.
    const take = held<FakeReply>();
    graph.on(`POST /${PAGE}/take_thread_control`, () => take.promise);
    // Act
    const answers = await whileHeld(
      take,
      Array.from({ length: 20 }, () => post(`/v1/threads/${PAGE}/5000000000000009/take`)),
      { body: { success: true } },
    );
    // Assess
    expect(graph.calls(`POST /${PAGE}/take_thread_control`)).toHaveLength(1);
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1);
    const refused = answers.filter((answer) => answer.status !== 200);
    expect(refused.map((answer) => answer.body.error)).toEqual(Array(19).fill('action_in_progress'));
  });

  it('10 concurrent accepts of one solution: Meta is asked once', async () => {
    await pendingSolution();
    graph.on(`GET /${SOLUTION}`, { body: { id: SOLUTION, status: 'INITIATED' } });
    const accept = held<FakeReply>();
    graph.on(`POST /${SOLUTION}/accept`, () => accept.promise);
    const answers = await whileHeld(
      accept,
      Array.from({ length: 10 }, () => post(`/v1/solutions/${SOLUTION}/accept`)),
      { body: { success: true } },
    );
    expect(graph.calls(`POST /${SOLUTION}/accept`)).toHaveLength(1);
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1);
  });

  it('a repeated Idempotency-Key answers the first result without calling Meta; another body with it is a 422', async () => {
    graph.on(`POST /${PAGE}/pass_thread_control`, { body: { success: true } });
    const path = `/v1/threads/${PAGE}/5000000000000010/pass`;
    const key = { 'idempotency-key': 'retry-of-a-timed-out-pass-1' };

    const first = await post(path, { targetAppId: '263902037430900' }, key);
    const retried = await post(path, { targetAppId: '263902037430900' }, key);
    const concurrent = await Promise.all(
      [1, 2, 3].map(() => post(path, { targetAppId: '263902037430900' }, key)),
    );
    const reused = await post(path, { targetAppId: '123456789' }, key);

    expect(first.status).toBe(200);
    expect(retried).toEqual(first);
    expect(concurrent.every((answer) => answer.status === 200)).toBe(true);
    expect(graph.calls(`POST /${PAGE}/pass_thread_control`)).toHaveLength(1);
    expect(reused).toMatchObject({ status: 422, body: { error: 'idempotency_key_reused' } });
  });

  it("Meta's refusal under a key is final: the retry gets it again without a second call", async () => {
    await pendingSolution();
    graph.on(`POST /${SOLUTION}/reject`, { status: 400, body: { error: { message: 'no', code: 100 } } });
    const key = { 'idempotency-key': 'reject-1' };
    const refused = await post(`/v1/solutions/${SOLUTION}/reject`, {}, key);
    const again = await post(`/v1/solutions/${SOLUTION}/reject`, {}, key);
    expect(refused.status).toBe(502);
    expect(again).toEqual(refused);
    expect(graph.calls(`POST /${SOLUTION}/reject`)).toHaveLength(1);
  });

  it("a POST Meta does not confirm is never sent again on its own: Meta's reading settles it", async () => {
    // Prepare: Meta accepts, then answers 500; it takes a thread, then the connection resets.
    await pendingSolution();
    let reads = 0; // accept reads the solution first (still INITIATED), then again after the 500 (ACTIVE)
    graph.on(`GET /${SOLUTION}`, () => ({
      body: { id: SOLUTION, status: reads++ === 0 ? 'INITIATED' : 'ACTIVE' },
    }));
    graph.on(`POST /${SOLUTION}/accept`, { status: 500, body: { error: { message: 'unknown', code: 1 } } });
    graph.on(`POST /${PAGE}/take_thread_control`, { reset: true });
    graph.on(`GET /${PAGE}/thread_owner`, { body: { data: [{ thread_owner: { app_id: appId() } }] } });

    // Act
    const accepted = await post(`/v1/solutions/${SOLUTION}/accept`);
    const taken = await post(`/v1/threads/${PAGE}/5000000000000011/take`);

    // Assess: one POST each, and what Meta reads back is recorded
    expect(graph.calls(`POST /${SOLUTION}/accept`)).toHaveLength(1);
    expect(accepted).toMatchObject({ status: 200, body: { status: 'ACTIVE' } });
    expect(graph.calls(`POST /${PAGE}/take_thread_control`)).toHaveLength(1);
    expect(taken).toMatchObject({ status: 200, body: { ownerAppId: appId(), idle: false } });
  });

  it('an unconfirmed POST Meta did not act on answers 504, records nothing, and the same key may run again', async () => {
    // Prepare: Meta answers 503 and still reads the solution as waiting for us.
    await pendingSolution();
    graph.on(`GET /${SOLUTION}`, { body: { id: SOLUTION, status: 'INITIATED' } });
    graph.on(`POST /${SOLUTION}/reject`, { status: 503, body: { error: { message: 'down', code: 2 } } });
    const key = { 'idempotency-key': 'reject-unconfirmed' };

    // Act
    const first = await post(`/v1/solutions/${SOLUTION}/reject`, {}, key);
    graph.on(`POST /${SOLUTION}/reject`, { body: { success: true } });
    const retried = await post(`/v1/solutions/${SOLUTION}/reject`, {}, key);

    // Assess
    expect(first).toMatchObject({ status: 504, body: { error: 'meta_unavailable' } });
    expect(retried).toMatchObject({ status: 200, body: { status: 'REJECTED' } });
    expect(graph.calls(`POST /${SOLUTION}/reject`)).toHaveLength(2);
  });

  it('{"success": false} from Meta is a refusal: 502, and nothing is recorded', async () => {
    await pendingSolution();
    graph.on(`POST /${SOLUTION}/reject`, { body: { success: false } });
    const refused = await post(`/v1/solutions/${SOLUTION}/reject`);
    const solution = await readJson(local.stack, `/v1/solutions/${SOLUTION}`);
    expect(refused).toMatchObject({ status: 502, body: { error: 'meta_refused' } });
    expect(solution.body).toMatchObject({ status: 'INITIATED' });
  });

  it("a key whose first request died mid-action is free again once that action's lease has passed", async () => {
    // Prepare: the claim a crashed process left, 40 s ago (its lease was 35 s).
    const key = 'take-after-crash';
    const control = new ControlTable(local.stack.dynamo.client, local.stack.dynamo.tableNames.control);
    const then = Math.floor(Date.now() / 1000) - 40;
    await control.claim(
      `idempotency#${createHash('sha256').update(key).digest('hex')}`,
      { fingerprint: 'whatever the crashed request was', state: 'running', expiresAt: then + 35 },
      then,
    );
    graph.on(`POST /${PAGE}/take_thread_control`, { body: { success: true } });
    graph.on(`GET /${PAGE}/thread_owner`, { body: { data: [] } });

    // Act
    const retried = await post(`/v1/threads/${PAGE}/5000000000000012/take`, {}, { 'idempotency-key': key });

    // Assess: Meta's reading first (that attempt may have reached Meta); idle, so the take is sent
    expect(retried).toMatchObject({ status: 200, body: { ownerAppId: appId() } });
    expect(graph.requests.map((request) => `${request.method} ${request.path.split('/').at(-1)}`)).toEqual([
      'GET thread_owner',
      'POST take_thread_control',
    ]);
  });

  it('a retry that cannot read Meta after a died attempt sends nothing: 503, not kept, retried later', async () => {
    // Prepare: the claim a crashed process left; Meta's thread_owner answers 500 for now
    const key = 'take-after-crash-unreadable';
    const control = new ControlTable(local.stack.dynamo.client, local.stack.dynamo.tableNames.control);
    const then = Math.floor(Date.now() / 1000) - 40;
    await control.claim(
      `idempotency#${createHash('sha256').update(key).digest('hex')}`,
      { fingerprint: 'x', state: 'running', expiresAt: then + 35 },
      then,
    );
    graph.on(`GET /${PAGE}/thread_owner`, { status: 500, body: { error: { message: 'down', code: 2 } } });
    graph.on(`POST /${PAGE}/take_thread_control`, { body: { success: true } });
    const path = `/v1/threads/${PAGE}/5000000000000013/take`;

    // Act
    const unreadable = await post(path, {}, { 'idempotency-key': key });
    graph.on(`GET /${PAGE}/thread_owner`, { body: { data: [] } });
    const later = await post(path, {}, { 'idempotency-key': key });

    // Assess
    expect(unreadable).toMatchObject({ status: 503, body: { error: 'action_unsettled' } });
    expect(later).toMatchObject({ status: 200, body: { ownerAppId: appId() } });
    expect(graph.calls(`POST /${PAGE}/take_thread_control`)).toHaveLength(1);
  });

  it('a solution action whose earlier attempt died reads Meta first: done there, recorded, no second POST', async () => {
    // Prepare: a reject's claim left by a crashed process; Meta reads REJECTED (the first reject reached it)
    await pendingSolution();
    const key = 'reject-after-crash';
    const control = new ControlTable(local.stack.dynamo.client, local.stack.dynamo.tableNames.control);
    const then = Math.floor(Date.now() / 1000) - 40;
    await control.claim(
      `idempotency#${createHash('sha256').update(key).digest('hex')}`,
      { fingerprint: 'x', state: 'running', expiresAt: then + 35 },
      then,
    );
    graph.on(`GET /${SOLUTION}`, { body: { id: SOLUTION, status: 'REJECTED' } });
    graph.on(`POST /${SOLUTION}/reject`, { body: { success: true } });

    // Act
    const retried = await post(`/v1/solutions/${SOLUTION}/reject`, {}, { 'idempotency-key': key });

    // Assess
    expect(retried).toMatchObject({ status: 200, body: { status: 'REJECTED' } });
    expect(graph.calls(`POST /${SOLUTION}/reject`)).toHaveLength(0);
  });

  it("an accept retried after Meta had accepted is answered from Meta's reading: 200, recorded, no second POST", async () => {
    // Prepare: Switchboard still reads INITIATED (the first answer was lost); Meta reads ACTIVE.
    await pendingSolution();
    graph.on(`GET /${SOLUTION}`, { body: { id: SOLUTION, status: 'ACTIVE' } });

    // Act
    const retried = await post(`/v1/solutions/${SOLUTION}/accept`, {}, { 'idempotency-key': 'accept-retry' });

    // Assess
    expect(retried).toMatchObject({ status: 200, body: { status: 'ACTIVE' } });
    expect(graph.calls(`POST /${SOLUTION}/accept`)).toHaveLength(0);
  });

  it('an accept Meta no longer waits for records what Meta reads, then answers 409', async () => {
    await pendingSolution();
    graph.on(`GET /${SOLUTION}`, { body: { id: SOLUTION, status: 'REJECTED' } });
    const refused = await post(`/v1/solutions/${SOLUTION}/accept`);
    const solution = await readJson(local.stack, `/v1/solutions/${SOLUTION}`);
    expect(refused).toMatchObject({ status: 409, body: { metaStatus: 'REJECTED' } });
    expect(solution.body).toMatchObject({ status: 'REJECTED' });
    expect(graph.calls(`POST /${SOLUTION}/accept`)).toHaveLength(0);
  });
});
