import { describe, expect, it } from 'vitest';
import { RECONCILE_CONTROL_KEY } from '../../shared/app/reconcile/handler.js';
import type { ReconcileSummary } from '../../shared/app/reconcile/summary.js';
import type { HttpResult } from '../../shared/platform/http/types.js';
import { useLocalTables } from '../support/dynamo.js';
import { useFakeGraph } from '../support/fake-graph.js';
import { context, httpEvent } from '../support/lambda.js';
import { APP, BUSINESS, reconcileHandler } from '../support/reconcile.js';
import { held, until } from '../support/waiting.js';

const graph = useFakeGraph();
const tables = useLocalTables();

const handler = () => reconcileHandler(tables, graph);

const LISTING = `GET /${BUSINESS}/client_whatsapp_business_accounts`;

/** Meta's WABA listing; with `answer`, the listing waits until the test releases it (a run in progress). */
const listing = (ids: string[], answer?: Promise<unknown>) => {
  const body = { data: ids.map((id) => ({ id, name: `WABA ${id}` })), paging: { cursors: {} } };
  graph.on(LISTING, async () => {
    await answer;
    return { body };
  });
  for (const id of ids) graph.on(`GET /${id}/solutions`, { body: { data: [] } });
  graph.on(`GET /${APP}/whatsapp_business_solutions`, { body: { data: [] } });
};

const scheduled = async () => (await handler()({}, context('reconcile'))) as ReconcileSummary;
const onDemand = async () =>
  (await handler()(httpEvent({ method: 'POST', path: '/v1/reconcile' }), context('reconcile'))) as HttpResult;

describe('reconciliation runs', () => {
  it('treats the first full sweep as a baseline (no drift), and only later unknown WABAs as discovered', async () => {
    // Prepare: an account whose WABAs predate the deployment
    listing(['900000000000001', '900000000000002']);

    // Act
    const first = await scheduled();
    listing(['900000000000001', '900000000000002', '900000000000003']);
    const second = await scheduled();

    // Assess
    expect(first).toMatchObject({ complete: true, baseline: true, wabasBaselined: 2, wabasDiscovered: 0 });
    expect(second).toMatchObject({ complete: true, baseline: false, wabasBaselined: 0, wabasDiscovered: 1 });
    expect(await tables.wabas.get('900000000000001')).toMatchObject({ discoveredBy: 'reconciliation' });
    expect((await tables.control.get(RECONCILE_CONTROL_KEY))?.baselineCompletedAt).toEqual(
      expect.any(Number),
    );
  });

  it('never overlaps: a run that finds another in progress answers 409 (HTTP) or skips (schedule)', async () => {
    // Prepare: the first run holds the lease, waiting on Meta's listing until the others have been answered
    const listed = held<undefined>();
    listing(['900000000000004'], listed.promise);

    // Act
    const running = onDemand();
    await until(() => graph.calls(LISTING).length === 1);
    const [concurrentHttp, concurrentSchedule] = await Promise.all([onDemand(), scheduled()]);
    listed.release(undefined);
    const first = await running;
    const after = await onDemand();

    // Assess
    expect(first.statusCode).toBe(200);
    expect(concurrentHttp.statusCode).toBe(409);
    expect(JSON.parse(concurrentHttp.body)).toMatchObject({ error: 'reconcile_in_progress' });
    expect(concurrentSchedule).toMatchObject({ skipped: true });
    expect(after.statusCode).toBe(200);
  });
});
