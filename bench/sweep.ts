import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Reconciler } from '../shared/app/reconcile/reconciler.js';
import type { SweepCheckpoint } from '../shared/app/reconcile/sweep.js';
import { SolutionRepository } from '../shared/domains/solutions/repository.js';
import { WabaRepository } from '../shared/domains/wabas/repository.js';
import { GraphClient } from '../shared/platform/graph/client.js';
import { Telemetry } from '../shared/platform/observability/telemetry.js';
import { RegisterTable } from '../shared/platform/store/register-table.js';
import { startDynaliteProcess } from './dynalite-process.js';
import { startPagedGraph } from './paged-graph.js';
import { round } from './stats.js';

const BUSINESS = '506914307656634';

/** A full collection before reading the heap, so the figure is what a run keeps, not garbage not yet collected. */
const collectGarbage = (() => {
  setFlagsFromString('--expose-gc');
  const gc: unknown = runInNewContext('gc');
  return typeof gc === 'function' ? () => gc() : () => undefined;
})();
/** One reconcile run's budget in AWS: the 5-minute timeout less the 15 s safety margin. */
export const LAMBDA_RUN_BUDGET_MS = 285_000;

export interface SweepFigures {
  wabas: number;
  pages: number;
  latencyMs: number;
  runBudgetMs: number;
  pagingOnlyMs: number;
  sweeps: {
    scenario: string;
    ms: number;
    ratio: number;
    runs: number;
    written: number;
    /** Heap after each run (after a full collection), MiB: flat means a run's memory does not grow with the sweep. */
    heapMiB: number[];
  }[];
}

/**
 * A partner with `pages` × `perPage` client WABAs, swept through the same Graph client, reconciler and
 * (dynalite) tables as production, in runs of a Lambda's budget that continue from the checkpoint: the first
 * sweep records everything (the baseline), the second is the steady state (nothing changed at Meta: goal 0
 * writes), each against the time of merely paging through the same list.
 */
export const measureLargeSweep = async (
  pages: number,
  perPage: number,
  latencyMs: number,
  runBudgetMs = LAMBDA_RUN_BUDGET_MS,
): Promise<SweepFigures> => {
  const graph = await startPagedGraph({
    pages,
    perPage,
    latencyMs,
    idOf: (index) => `8${String(index).padStart(9, '0')}`,
    solutions: [],
  });
  const dynamo = await startDynaliteProcess('sweep');
  try {
    const client = () => new GraphClient({ baseUrl: graph.base, token: async () => 'bench' });
    const started = performance.now();
    for await (const _page of client().pages(`/${BUSINESS}/client_whatsapp_business_accounts`)) {
      // pure paging: nothing done with the page
    }
    const pagingOnlyMs = performance.now() - started;
    const deps = {
      wabas: new WabaRepository(new RegisterTable(dynamo.client, dynamo.tableNames.wabas)),
      solutions: new SolutionRepository(new RegisterTable(dynamo.client, dynamo.tableNames.solutions)),
      identity: { appId: '', businessId: BUSINESS, partnerBusinessIds: [], graphApiBaseUrl: graph.base },
      telemetry: new Telemetry('reconcile'),
    };
    const sweep = async (scenario: string, baseline: boolean) => {
      const begin = performance.now();
      let checkpoint: SweepCheckpoint | undefined;
      let runs = 0;
      let written = 0;
      const heapMiB: number[] = [];
      for (;;) {
        runs += 1;
        const reconciler = new Reconciler({ ...deps, graph: client(), baseline });
        // The checkpoint travels as the control table keeps it: a copy, not the live object.
        const summary = await reconciler.run(
          Date.now() + runBudgetMs,
          checkpoint && structuredClone(checkpoint),
        );
        written += summary.wabasUpdated;
        collectGarbage();
        heapMiB.push(round(process.memoryUsage().heapUsed / 2 ** 20));
        if (summary.complete) break;
        checkpoint = summary.sweep ?? undefined;
      }
      const ms = performance.now() - begin;
      return { scenario, ms: round(ms), ratio: round(ms / pagingOnlyMs), runs, written, heapMiB };
    };
    const sweeps = [
      await sweep('first sweep (baseline: every WABA recorded)', true),
      await sweep('steady state (nothing changed at Meta)', false),
    ];
    return {
      wabas: pages * perPage,
      pages,
      latencyMs,
      runBudgetMs,
      pagingOnlyMs: round(pagingOnlyMs),
      sweeps,
    };
  } finally {
    await Promise.all([graph.close(), dynamo.close()]);
  }
};
