import { beforeEach, describe, expect, it } from 'vitest';
import { localContext } from '../../local/lambda-context.js';
import { RECONCILE_CONTROL_KEY, type RunAnswer } from '../../shared/app/reconcile/handler.js';
import type { HttpResult } from '../../shared/platform/http/types.js';
import { useLocalTables } from '../support/dynamo.js';
import { type FakeReply, graphError, useFakeGraph } from '../support/fake-graph.js';
import { context, httpEvent } from '../support/lambda.js';
import { APP, BUSINESS, reconcileHandler } from '../support/reconcile.js';

/**
 * Reconciliation always finishes: a WABA Meta will not describe is counted and skipped, a sweep longer than
 * one run continues from its checkpoint (no page fetched twice), a refused cursor restarts it, and the Step
 * Functions loop holds the lease across its runs so nothing else interleaves. Time is a clock the test moves
 * (a slow page advances it), so the same pages fall in a run's budget on any machine, however busy: every run
 * has the handler's minimum budget, 1 s of that clock (its safety margin takes all of the invocation's real
 * remaining time, which only middy's early timeout reads: a hang guard).
 */
const graph = useFakeGraph();
const tables = useLocalTables();
const LISTING = `/${BUSINESS}/client_whatsapp_business_accounts`;
const clock = { now: 1_800_000_000_000 };

const INVOCATION_MS = 120_000;
const handler = () => reconcileHandler(tables, graph, () => clock.now, INVOCATION_MS);

/** `count` pages of WABAs, each taking `pageMs` of the clock, linked by `after=<n>` as Meta links them. */
const pagedListing = (prefix: string, count: number, pageMs = 0) => {
  const ids = (page: number) => [`${prefix}${page}1`, `${prefix}${page}2`];
  const reply = (request: { query: Record<string, string> }, base: string): FakeReply => {
    const page = Number(request.query.after ?? 0);
    clock.now += pageMs;
    return {
      body: {
        data: ids(page).map((id) => ({ id, name: `WABA ${id}` })),
        paging: page + 1 < count ? { next: `${base}${LISTING}?after=${page + 1}&limit=100` } : {},
      },
    };
  };
  graph.on(`GET ${LISTING}`, reply);
  graph.on(`GET /${APP}/whatsapp_business_solutions`, {
    body: { data: [{ id: '5550009', status: 'ACTIVE' }] },
  });
  return Array.from({ length: count }, (_, page) => ids(page)).flat();
};

/** One run: 1 s of the test's clock to work in. */
const invoke = async (event: unknown) =>
  (await handler()(event, localContext('reconcile', INVOCATION_MS))) as RunAnswer;
const http = async (method: 'GET' | 'POST') =>
  (await handler()(httpEvent({ method, path: '/v1/reconcile' }), context('reconcile'))) as HttpResult;

beforeEach(async () => {
  clock.now += 3_600_000; // any lease an earlier test left has lapsed
  await tables.control.set(RECONCILE_CONTROL_KEY, { sweep: null, baselineCompletedAt: 1 });
  graph.fallback({ body: { data: [] } });
});

describe('reconciliation sweeps', () => {
  it("one WABA's permission error: the run completes, every listed WABA is recorded, the solutions pass runs, the error is counted", async () => {
    const wabas = pagedListing('81000000000', 1);
    graph.on(
      `GET /${wabas[1]}/solutions`,
      graphError(200, '(#200) Permissions error', { fbtrace_id: 'AbC-permission' }, 403),
    );

    const answer = await invoke({});

    expect(answer).toMatchObject({ complete: true, errorsByCode: { '200': 1 }, solutionsSeen: 1 });
    for (const id of wabas) expect(await tables.wabas.get(id), id).toMatchObject({ wabaId: id });
    expect(await tables.solutions.get('5550009')).toMatchObject({ status: 'ACTIVE' });
  });

  it('a deadline mid-sweep: the next run resumes from the checkpoint, no page is fetched twice, the sweep completes', async () => {
    const wabas = pagedListing('82000000000', 6, 250);

    const first = await invoke({}); // 1 s of budget: four pages of 250 ms
    const status = JSON.parse((await http('GET')).body) as Record<string, unknown>;
    const second = await invoke({});

    expect(first).toMatchObject({ complete: false, stoppedBy: 'time budget' });
    expect(status).toMatchObject({ running: false, current: { runs: 1, phase: 'wabas' } });
    expect(second).toMatchObject({ complete: true, resumed: true });
    const afters = graph.calls(`GET ${LISTING}`).map((call) => call.query.after ?? '0');
    expect(afters).toEqual(['0', '1', '2', '3', '4', '5']);
    for (const id of wabas) expect(await tables.wabas.get(id), id).toBeDefined();
    const done = JSON.parse((await http('GET')).body) as Record<string, unknown>;
    expect(done).toMatchObject({
      current: null,
      lastCompleted: { runs: 2, counters: { pages: 7, wabasSeen: 12 }, completedAt: expect.any(Number) },
    });
  });

  it('a stored cursor Meta refuses restarts the sweep, and says so', async () => {
    pagedListing('83000000000', 2);
    await tables.control.set(RECONCILE_CONTROL_KEY, {
      sweep: {
        sweepId: 'old',
        startedAt: 1,
        baseline: false,
        phase: 'wabas',
        partnerIndex: 0,
        next: `${graph.base}${LISTING}?after=expired`,
        runs: 3,
        restartedBecause: null,
        counters: { pages: 40 },
      },
    });
    graph.on(`GET ${LISTING}`, (request, base) =>
      request.query.after === 'expired'
        ? graphError(100, 'Invalid cursor: expired')
        : {
            body: {
              data: [{ id: '830000000001' }],
              paging: request.query.after === undefined ? { next: `${base}${LISTING}?after=1` } : {},
            },
          },
    );

    const answer = await invoke({});

    expect(answer).toMatchObject({ complete: true, resumed: false });
    expect(answer.sweep).toMatchObject({
      restartedBecause: expect.stringContaining('Invalid cursor'),
      runs: 1,
    });
  });

  it('a listing error stops the run but keeps its progress: the next run resumes at the failed page', async () => {
    // Prepare: page 2 of 4 fails once; Meta echoes a token into its next links, as it may.
    pagedListing('85000000000', 4); // the solutions listing; the WABA listing is replaced below
    let failures = 1;
    graph.on(`GET ${LISTING}`, (request, base) => {
      const page = Number(request.query.after ?? 0);
      if (page === 2 && failures-- > 0) return graphError(100, 'Unsupported get request', {}, 400);
      return {
        body: {
          data: [{ id: `85000000000${page}` }],
          paging: page < 3 ? { next: `${base}${LISTING}?after=${page + 1}&access_token=EAASECRET` } : {},
        },
      };
    });

    // Act
    const failed = await invoke({}).then(
      () => 'answered',
      (error: unknown) => String(error),
    );
    const status = (await http('GET')).body;
    const resumed = await invoke({});

    // Assess
    expect(failed).toContain('Unsupported get request');
    expect(JSON.parse(status)).toMatchObject({
      current: {
        runs: 1,
        counters: { pages: 2 },
        lastError: expect.stringContaining('Unsupported get request'),
      },
    });
    expect(status).not.toContain('EAASECRET');
    expect(resumed).toMatchObject({ complete: true, resumed: true });
    const afters = graph.calls(`GET ${LISTING}`).map((call) => call.query.after ?? '0');
    expect(afters).toEqual(['0', '1', '2', '2', '3']);
    expect(graph.calls(`GET ${LISTING}`).some((call) => 'access_token' in call.query)).toBe(false);
    expect(await tables.wabas.get('850000000003')).toBeDefined();
  });

  it('one WABA Meta never answers for holds up neither its page nor the sweep: deferred, and the sweep goes on', async () => {
    // Prepare: Meta stays silent on the first WABA's solutions far past the run's budget and the lookup's own
    // (25 s pass, then the connection ends as a request timeout would end it); asked again, it answers.
    const wabas = pagedListing('86000000000', 3);
    const silent = (): FakeReply => {
      clock.now += 25_000;
      return { reset: true };
    };
    graph.on(`GET /${wabas[0]}/solutions`, silent, { body: { data: [] } });

    // Act
    const first = await invoke({});
    const second = await invoke({});

    // Assess
    expect(first).toMatchObject({ complete: false, errorsByCode: {} });
    expect(first.solutionLookupsDeferred).toBeGreaterThanOrEqual(1); // and any the run's end left unasked
    expect(first.sweep?.next).toEqual(expect.any(String));
    expect(second).toMatchObject({ complete: true, resumed: true });
    for (const id of wabas) expect(await tables.wabas.get(id), id).toBeDefined();
  });

  it('an outage on the stored cursor keeps the checkpoint: only a refusal of the cursor restarts the sweep', async () => {
    // Prepare: a sweep stopped at page 1; Meta answers 503 for it, beyond the retries.
    pagedListing('87000000000', 2);
    const stored = {
      sweepId: 'kept',
      startedAt: 1,
      baseline: false,
      phase: 'wabas',
      partnerIndex: 0,
      runs: 1,
    };
    const next = `${graph.base}${LISTING}?after=1`;
    await tables.control.set(RECONCILE_CONTROL_KEY, { sweep: { ...stored, next, counters: { pages: 1 } } });
    graph.on(`GET ${LISTING}`, graphError(2, 'Service temporarily unavailable', {}, 503));

    // Act
    const failed = await invoke({}).then(
      () => 'answered',
      (error: unknown) => String(error),
    );
    const status = JSON.parse((await http('GET')).body) as Record<string, unknown>;

    // Assess
    expect(failed).toContain('Service temporarily unavailable');
    expect(status).toMatchObject({ current: { sweepId: 'kept', next, restartedBecause: null } });
  });

  it("lookups past the run's allowance are counted as deferred, never silently skipped", async () => {
    // Prepare: one page of 105 WABAs no webhook announced (100 lookups per run).
    const ids = Array.from({ length: 105 }, (_, index) => `880000000${String(index).padStart(3, '0')}`);
    graph.on(`GET ${LISTING}`, { body: { data: ids.map((id) => ({ id })) } });

    // Act
    const answer = await invoke({});

    // Assess
    expect(answer).toMatchObject({ complete: true, wabasSeen: 105, solutionLookupsDeferred: 5 });
    expect(graph.requests.filter((request) => request.path.endsWith('/solutions'))).toHaveLength(100);
  });

  it('the Step Functions loop holds the lease across its runs: an on-demand run meanwhile is refused, never interleaved', async () => {
    pagedListing('84000000000', 6, 250);

    const first = await invoke({ sweepOwner: 'execution-1' });
    const meanwhile = await http('POST');
    const rest = [];
    for (let run = 0; run < 5 && rest.at(-1)?.more !== false; run++)
      rest.push(await invoke({ sweepOwner: 'execution-1' }));
    const after = await http('POST');

    expect(first).toMatchObject({ complete: false, more: true });
    expect(meanwhile.statusCode).toBe(409);
    expect(rest.at(-1)).toMatchObject({ complete: true, more: false });
    expect(after.statusCode).toBe(200);
    const afters = graph.calls(`GET ${LISTING}`).map((call) => call.query.after ?? '0');
    expect(afters.slice(0, 6)).toEqual(['0', '1', '2', '3', '4', '5']);
  });
});
