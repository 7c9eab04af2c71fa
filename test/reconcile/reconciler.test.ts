import { describe, expect, it } from 'vitest';
import { Reconciler } from '../../shared/app/reconcile/reconciler.js';
import { decodeWabaChange } from '../../shared/domains/wabas/decode.js';
import type { MetaIdentity } from '../../shared/platform/config/env.js';
import { GraphClient } from '../../shared/platform/graph/client.js';
import { GraphAuthError } from '../../shared/platform/graph/errors.js';
import { partnerFilter } from '../../shared/platform/graph/listing.js';
import { Telemetry } from '../../shared/platform/observability/telemetry.js';
import { useLocalTables } from '../support/dynamo.js';
import { fixtureEnvelope } from '../support/envelopes.js';
import { type FakeReply, graphError, useFakeGraph } from '../support/fake-graph.js';

const graph = useFakeGraph();
const tables = useLocalTables();
/** None of these runs is about its time budget: a deadline that never comes, so a busy machine cannot cut one. */
const NO_DEADLINE = Number.POSITIVE_INFINITY;
const BUSINESS = '506914307656634';
const APP = '21202248997039';
let run = 0;

const waba = (id: string, name = `Customer ${id}`) => ({
  id,
  name,
  timezone_id: '7',
  business_type: 'ent',
  message_template_namespace: `ns_${id}`,
});

/** Pages of WABAs linked by `paging.next`, as Meta serves them. */
const pagesOf = (ids: string[][], prefix: string) =>
  ids.map(
    (page, index) =>
      (_request: unknown, base: string): FakeReply => ({
        body: {
          data: page.map((id) => waba(id)),
          paging: {
            cursors: { before: 'b', after: 'a' },
            ...(index + 1 < ids.length
              ? { next: `${base}/${BUSINESS}/client_whatsapp_business_accounts?after=${prefix}${index + 1}` }
              : {}),
          },
        },
      }),
  );

const reconciler = (options: { partners?: string[]; now?: () => number; tokens?: boolean[] } = {}) => {
  const identity: MetaIdentity = {
    appId: APP,
    businessId: BUSINESS,
    partnerBusinessIds: options.partners ?? [],
    graphApiBaseUrl: graph.base,
  };
  const client = new GraphClient({
    baseUrl: graph.base,
    token: async (force) => {
      options.tokens?.push(force);
      return 'system-user-token';
    },
    sleep: async () => undefined,
  });
  return new Reconciler({
    graph: client,
    wabas: tables.wabas,
    solutions: tables.solutions,
    identity,
    telemetry: new Telemetry('reconcile'),
    ...(options.now ? { now: options.now } : {}),
  });
};

const noSolutions = () => graph.on(`GET /${APP}/whatsapp_business_solutions`, { body: { data: [] } });
const noWabaSolutions = (id: string) => graph.on(`GET /${id}/solutions`, { body: { data: [] } });
const ids = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, index) => `${prefix}${run}${index}`);

describe('reconciliation', () => {
  it('three pages with a rate limit and a 500 between them: every WABA applied, retries counted', async () => {
    // Prepare
    run += 1;
    const [first, second, third] = [ids('1', 3), ids('2', 3), ids('3', 2)];
    const [page1, page2, page3] = pagesOf([first, second, third], `r${run}-`);
    graph.on(`GET /${BUSINESS}/client_whatsapp_business_accounts`, (request, base) => {
      const after = request.query.after;
      if (after === undefined) return (page1 as (r: unknown, b: string) => FakeReply)(request, base);
      if (after.endsWith('-1')) {
        const seen = graph.requests.filter((r) => r.query.after === after).length;
        if (seen === 1) return graphError(80007, 'rate limited');
        return (page2 as (r: unknown, b: string) => FakeReply)(request, base);
      }
      const seen = graph.requests.filter((r) => r.query.after === after).length;
      if (seen === 1) return { status: 500, body: {} };
      return (page3 as (r: unknown, b: string) => FakeReply)(request, base);
    });
    for (const id of [...first, ...second, ...third]) noWabaSolutions(id);
    noSolutions();
    // Act
    const summary = await reconciler().run(NO_DEADLINE);
    // Assess
    expect(summary).toMatchObject({ complete: true, pages: 4, wabasSeen: 8, wabasDiscovered: 8, retries: 2 });
    for (const id of [...first, ...second, ...third]) {
      expect(await tables.wabas.get(id)).toMatchObject({
        wabaId: id,
        discoveredBy: 'reconciliation',
        name: `Customer ${id}`,
        timezoneId: '7',
        messageTemplateNamespace: `ns_${id}`,
      });
    }
  });

  it('sends the partner filter exactly as the reference documents it, once per partner', async () => {
    graph.on(`GET /${BUSINESS}/client_whatsapp_business_accounts`, { body: { data: [] } });
    noSolutions();
    await reconciler({ partners: ['520744086200222', '116133292427920'] }).run(NO_DEADLINE);
    const filters = graph
      .calls(`GET /${BUSINESS}/client_whatsapp_business_accounts`)
      .map((request) => request.query.filtering);
    expect(filters).toEqual([
      '[{"field":"partners","operator":"ALL","value":["520744086200222"]}]',
      '[{"field":"partners","operator":"ALL","value":["116133292427920"]}]',
    ]);
    expect(partnerFilter('1')).toBe('[{"field":"partners","operator":"ALL","value":["1"]}]');
  });

  it('code 190 reads the secret once more, then fails with a clear error', async () => {
    graph.on(
      `GET /${BUSINESS}/client_whatsapp_business_accounts`,
      graphError(190, 'Error validating access token: Session has expired', {}, 401),
    );
    const tokens: boolean[] = [];
    const error = await reconciler({ tokens })
      .run(NO_DEADLINE)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GraphAuthError);
    expect((error as Error).message).toMatch(/Session has expired.*code 190/);
    expect(tokens).toEqual([false, true]);
  });

  it('a WABA first known from a webhook keeps discoveredBy webhook and gains the listed fields', async () => {
    const added = decodeWabaChange(fixtureEnvelope('partner-added'));
    await tables.wabas.apply(added);
    graph.on(`GET /${BUSINESS}/client_whatsapp_business_accounts`, {
      body: { data: [waba(added.wabaId, 'Cool New Customer 2')] },
    });
    noSolutions();
    const summary = await reconciler().run(NO_DEADLINE);
    expect(summary).toMatchObject({ wabasSeen: 1, wabasDiscovered: 0 });
    expect(graph.calls(`GET /${added.wabaId}/solutions`)).toHaveLength(0);
    expect(await tables.wabas.get(added.wabaId)).toMatchObject({
      discoveredBy: 'webhook',
      solutionId: '303610109049230',
      name: 'Cool New Customer 2',
      ownerBusinessId: '6143763655652543',
    });
  });

  it('asks Meta which solution onboarded a WABA it discovers', async () => {
    run += 1;
    const [id = ''] = ids('9', 1);
    graph.on(`GET /${BUSINESS}/client_whatsapp_business_accounts`, { body: { data: [waba(id)] } });
    graph.on(`GET /${id}/solutions`, {
      body: { data: [{ id: '17602267745700', name: 'x', status: 'ACTIVE' }] },
    });
    noSolutions();
    await reconciler().run(NO_DEADLINE);
    expect(await tables.wabas.get(id)).toMatchObject({
      solutionId: '17602267745700',
      discoveredBy: 'reconciliation',
    });
    const listed = await tables.wabas.listBySolution('17602267745700', 100);
    expect(listed.items.map((item) => item.wabaId)).toContain(id);
  });

  it('spends at most its allowance of solution lookups per run; the next run continues', async () => {
    run += 1;
    const listed = ids('4', 3);
    graph.on(`GET /${BUSINESS}/client_whatsapp_business_accounts`, {
      body: { data: listed.map((id) => waba(id)) },
    });
    for (const id of listed) graph.on(`GET /${id}/solutions`, { body: { data: [{ id: `9${id}` }] } });
    noSolutions();
    const lookups = () =>
      graph.requests.filter(
        (request) => request.path.endsWith('/solutions') && !request.path.includes('whatsapp_business'),
      ).length;
    const identity: MetaIdentity = {
      appId: APP,
      businessId: BUSINESS,
      partnerBusinessIds: [],
      graphApiBaseUrl: graph.base,
    };
    const limited = () =>
      new Reconciler({
        graph: new GraphClient({ baseUrl: graph.base, token: async () => 't' }),
        wabas: tables.wabas,
        solutions: tables.solutions,
        identity,
        telemetry: new Telemetry('reconcile'),
        solutionLookupsPerRun: 2,
      });
    await limited().run(NO_DEADLINE);
    expect(lookups()).toBe(2);
    await limited().run(NO_DEADLINE);
    expect(lookups()).toBe(3);
    for (const id of listed) expect((await tables.wabas.get(id))?.solutionId).toBe(`9${id}`);
  });

  it('a run aborted midway deletes and corrupts nothing', async () => {
    // Prepare: a WABA we know that this run will never reach, and a listing that breaks on page 2.
    run += 1;
    const known = decodeWabaChange(fixtureEnvelope('partner-removed'));
    await tables.wabas.apply({ ...known, wabaId: `kept${run}` });
    const before = await tables.wabas.table.get({ wabaId: `kept${run}` });
    const [first] = [ids('5', 2)];
    graph.on(`GET /${BUSINESS}/client_whatsapp_business_accounts`, (request, base) =>
      request.query.after === undefined
        ? {
            body: {
              data: (first ?? []).map((id) => waba(id)),
              paging: { next: `${base}/${BUSINESS}/client_whatsapp_business_accounts?after=x` },
            },
          }
        : graphError(100, 'Unsupported get request'),
    );
    for (const id of first ?? []) noWabaSolutions(id);
    noSolutions();
    // Act
    const error = await reconciler()
      .run(NO_DEADLINE)
      .catch((caught: unknown) => caught);
    // Assess
    expect(error).toBeInstanceOf(Error);
    expect(await tables.wabas.table.get({ wabaId: `kept${run}` })).toEqual(before);
    for (const id of first ?? [])
      expect(await tables.wabas.get(id)).toMatchObject({ wabaId: id, name: `Customer ${id}` });
  });

  it('a run over its time budget ends with a partial summary', async () => {
    run += 1;
    const [first, second] = [ids('6', 2), ids('7', 2)];
    graph.on(`GET /${BUSINESS}/client_whatsapp_business_accounts`, ...pagesOf([first, second], `t${run}-`));
    for (const id of [...first, ...second]) noWabaSolutions(id);
    noSolutions();
    let clock = 1_000_000;
    const summary = await reconciler({ now: () => (clock += 400) }).run(1_000_000 + 500);
    expect(summary).toMatchObject({ complete: false, stoppedBy: 'time budget', pages: 1, wabasSeen: 2 });
    expect(await tables.wabas.get(second[0] ?? '')).toBeUndefined();
  });

  it('reconciles solution status, and changes nothing on a second identical run', async () => {
    await tables.solutions.apply({
      solutionId: '5550001',
      status: 'INITIATED',
      event: 'SOLUTION_CREATED',
      businessId: BUSINESS,
      timeMs: 1_000_000,
      eventId: 'e',
      source: 'webhook',
    });
    graph.on(`GET /${BUSINESS}/client_whatsapp_business_accounts`, { body: { data: [] } });
    graph.on(`GET /${APP}/whatsapp_business_solutions`, {
      body: {
        data: [{ id: '5550001', name: 'Social OVD', status: 'ACTIVE', status_for_pending_request: 'NONE' }],
      },
    });
    const first = await reconciler().run(NO_DEADLINE);
    const second = await reconciler().run(NO_DEADLINE);
    expect([first.solutionsChanged, second.solutionsChanged]).toEqual([1, 0]);
    expect(await tables.solutions.get('5550001')).toMatchObject({
      status: 'ACTIVE',
      name: 'Social OVD',
      statusChangedAt: expect.any(Number),
    });
  });

  it('two runs at once are safe: both complete and the state is the same as after one', async () => {
    run += 1;
    const listed = ids('8', 4);
    graph.on(`GET /${BUSINESS}/client_whatsapp_business_accounts`, {
      body: { data: listed.map((id) => waba(id)) },
    });
    for (const id of listed) noWabaSolutions(id);
    noSolutions();
    const [a, b] = await Promise.all([reconciler().run(NO_DEADLINE), reconciler().run(NO_DEADLINE)]);
    expect([a.complete, b.complete]).toEqual([true, true]);
    for (const id of listed)
      expect(await tables.wabas.get(id)).toMatchObject({
        discoveredBy: 'reconciliation',
        name: `Customer ${id}`,
      });
  });
});
