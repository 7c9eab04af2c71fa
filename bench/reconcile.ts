import { startLocalDynamo } from '../local/dynalite.js';
import { Reconciler } from '../shared/app/reconcile/reconciler.js';
import { SolutionRepository } from '../shared/domains/solutions/repository.js';
import { WabaRepository } from '../shared/domains/wabas/repository.js';
import { GraphClient } from '../shared/platform/graph/client.js';
import { Telemetry } from '../shared/platform/observability/telemetry.js';
import { RegisterTable } from '../shared/platform/store/register-table.js';
import { startPagedGraph } from './paged-graph.js';
import { round } from './stats.js';

const BUSINESS = '506914307656634';

export interface ReconcileRun {
  scenario: string;
  ms: number;
  ratio: number;
  discovered: number;
  written: number;
  solutionLookups: number;
}

export interface ReconcileFigures {
  wabas: number;
  pages: number;
  latencyMs: number;
  pagingOnlyMs: number;
  runs: ReconcileRun[];
}

/**
 * The reconciler over `pages` × `perPage` WABAs with simulated Meta latency per request, against the
 * floor of merely paging through the same list. Scenarios: the WABAs were announced by webhooks (first
 * reconciliation writes their names, the next one finds nothing to do), and the worst case, where no
 * webhook ever arrived and everything is discovered.
 */
export const measureReconcile = async (
  pages: number,
  perPage: number,
  latencyMs: number,
): Promise<ReconcileFigures> => {
  const graph = await startPagedGraph({
    pages,
    perPage,
    latencyMs,
    idOf: (index) => `8${index}`,
    solutions: [{ id: '303610109049230' }],
  });
  const announced = await startLocalDynamo({ prefix: 'announced' });
  const empty = await startLocalDynamo({ prefix: 'empty' });
  try {
    const client = () => new GraphClient({ baseUrl: graph.base, token: async () => 'bench' });
    const started = performance.now();
    let listed = 0;
    for await (const page of client().pages(`/${BUSINESS}/client_whatsapp_business_accounts`))
      listed += page.length;
    const pagingOnlyMs = performance.now() - started;

    const wabasOf = (dynamo: typeof announced) =>
      new WabaRepository(new RegisterTable(dynamo.client, dynamo.tableNames.wabas));
    // The announced scenario: every WABA arrived by PARTNER_ADDED first.
    const seeded = wabasOf(announced);
    for (let start = 0; start < listed; start += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, listed - start) }, (_, offset) => {
          const id = `8${start + offset}`;
          return seeded.apply({
            type: 'change',
            wabaId: id,
            event: 'PARTNER_ADDED',
            timeMs: 1_000_000,
            eventId: `add-${id}`,
            receivedBy: BUSINESS,
            wabaInfo: { ownerBusinessId: 'o', solutionId: '303610109049230', partnerBusinessIds: [BUSINESS] },
            details: {},
          });
        }),
      );
    }
    const runOnce = async (scenario: string, dynamo: typeof announced): Promise<ReconcileRun> => {
      const graphClient = client();
      const begin = performance.now();
      const summary = await new Reconciler({
        graph: graphClient,
        wabas: wabasOf(dynamo),
        solutions: new SolutionRepository(new RegisterTable(dynamo.client, dynamo.tableNames.solutions)),
        identity: { appId: '', businessId: BUSINESS, partnerBusinessIds: [], graphApiBaseUrl: graph.base },
        telemetry: new Telemetry('reconcile'),
      }).run(Date.now() + 600_000);
      const ms = performance.now() - begin;
      if (summary.wabasSeen !== listed)
        throw new Error(`reconciliation saw ${summary.wabasSeen} of ${listed} WABAs`);
      return {
        scenario,
        ms: round(ms),
        ratio: round(ms / pagingOnlyMs),
        discovered: summary.wabasDiscovered,
        written: summary.wabasUpdated,
        solutionLookups: graphClient.stats.requests - summary.pages,
      };
    };
    const runs = [
      await runOnce('announced by webhooks: first reconciliation', announced),
      await runOnce('announced by webhooks: steady state', announced),
      await runOnce('no webhook ever arrived: first run (worst case)', empty),
      await runOnce('no webhook ever arrived: second run', empty),
    ];
    return { wabas: listed, pages, latencyMs, pagingOnlyMs: round(pagingOnlyMs), runs };
  } finally {
    await Promise.all([graph.close(), announced.close(), empty.close()]);
  }
};
