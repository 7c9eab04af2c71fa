import type { Context } from 'aws-lambda';
import { SwitchboardError } from '../errors.js';
import type { GraphClient } from '../graph/client.js';
import { dispatch } from '../http/dispatch.js';
import { httpErrors } from '../http/http-errors.js';
import { json } from '../http/response.js';
import type { HttpApiEvent, HttpResult } from '../http/types.js';
import { lambda } from '../lambda.js';
import type { Telemetry } from '../observability/telemetry.js';
import type { ControlTable } from '../store/control.js';
import { type ReconcileDeps, Reconciler } from './reconciler.js';
import type { ReconcileSummary } from './summary.js';

/** API Gateway gives up after 30 s: an on-demand run ends well before with a partial summary. */
export const HTTP_RUN_BUDGET_MS = 25_000;
/** The control item holding reconciliation's lease and the time its first full sweep completed. */
export const RECONCILE_CONTROL_KEY = 'reconcile';

export interface ReconcileHandlerDeps extends Omit<ReconcileDeps, 'graph' | 'baseline'> {
  /** A fresh client per run, bounded by the run's deadline (its retry count is the run's). */
  graphFor(deadline: number): GraphClient;
  control: ControlTable;
  /** Kept free before the Lambda timeout for writing the summary. */
  safetyMarginMs: number;
  telemetry: Telemetry;
}

/** A run found another one in progress: runs never overlap. */
export class ReconcileInProgressError extends SwitchboardError {
  public constructor() {
    super(409, 'reconcile_in_progress', 'a reconciliation is already running; try again when it ends');
  }
}

const isHttpEvent = (event: unknown): event is HttpApiEvent =>
  typeof event === 'object' && event !== null && 'requestContext' in event && 'routeKey' in event;

export interface SkippedRun {
  skipped: true;
  reason: string;
}

/**
 * Runs one reconciliation: on the schedule (a failure throws, so the function's Errors metric and alarm see
 * it) or on `POST /v1/reconcile` (answers the summary; errors through `httpErrors`). A lease in the control
 * table keeps runs from ever overlapping: a scheduled run that finds one running ends at once, an HTTP call
 * answers 409.
 */
export const createReconcileHandler = (deps: ReconcileHandlerDeps) => {
  const run = async (context: Context, http: boolean): Promise<ReconcileSummary | SkippedRun> => {
    const now = deps.now ?? Date.now;
    const remaining = context.getRemainingTimeInMillis() - deps.safetyMarginMs;
    const deadline = now() + Math.max(1_000, http ? Math.min(remaining, HTTP_RUN_BUDGET_MS) : remaining);
    const owner = context.awsRequestId;
    if (
      !(await deps.control.acquireLease(RECONCILE_CONTROL_KEY, owner, deadline + deps.safetyMarginMs, now()))
    ) {
      if (http) throw new ReconcileInProgressError();
      deps.telemetry.logger.info('reconciliation skipped: another run holds the lease');
      return { skipped: true, reason: 'another run is in progress' };
    }
    try {
      const state = await deps.control.get(RECONCILE_CONTROL_KEY);
      const baseline = typeof state?.baselineCompletedAt !== 'number';
      const summary = await new Reconciler({ ...deps, graph: deps.graphFor(deadline), baseline }).run(
        deadline,
      );
      if (baseline && summary.complete)
        await deps.control.set(RECONCILE_CONTROL_KEY, { baselineCompletedAt: now() }, owner);
      return summary;
    } finally {
      await deps.control.releaseLease(RECONCILE_CONTROL_KEY, owner);
    }
  };
  const http = dispatch('reconcile', {
    'reconcile.run': async (_event, context) => json(200, await run(context, true)),
  });
  return lambda(
    deps.telemetry,
    (event: unknown, context: Context): Promise<HttpResult | ReconcileSummary | SkippedRun> =>
      isHttpEvent(event) ? http(event, context) : run(context, false),
  ).use(httpErrors(deps.telemetry));
};
