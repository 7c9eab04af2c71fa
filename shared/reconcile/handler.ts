import type { Context } from 'aws-lambda';
import type { GraphClient } from '../graph/client.js';
import { json, toErrorResponse } from '../http/response.js';
import type { HttpApiEvent, HttpResult } from '../http/types.js';
import { lambda } from '../lambda.js';
import type { Telemetry } from '../observability/telemetry.js';
import { type ReconcileDeps, Reconciler, type ReconcileSummary } from './reconciler.js';

/** API Gateway gives up after 30 s: an on-demand run ends well before with a partial summary. */
export const HTTP_RUN_BUDGET_MS = 25_000;

export interface ReconcileHandlerDeps extends Omit<ReconcileDeps, 'graph'> {
  /** A fresh client per run, bounded by the run's deadline (its retry count is the run's). */
  graphFor(deadline: number): GraphClient;
  /** Kept free before the Lambda timeout for writing the summary. */
  safetyMarginMs: number;
  telemetry: Telemetry;
}

const isHttpEvent = (event: unknown): event is HttpApiEvent =>
  typeof event === 'object' && event !== null && 'requestContext' in event && 'routeKey' in event;

/**
 * Runs one reconciliation: on the schedule (a failure throws, so the function's Errors metric and
 * alarm see it) or on `POST /v1/reconcile` (answers the summary, or Meta's error as 502).
 */
export const createReconcileHandler = (deps: ReconcileHandlerDeps) =>
  lambda(deps.telemetry, async (event: unknown, context: Context): Promise<HttpResult | ReconcileSummary> => {
    const now = deps.now ?? Date.now;
    const remaining = context.getRemainingTimeInMillis() - deps.safetyMarginMs;
    const http = isHttpEvent(event);
    const deadline = now() + Math.max(1_000, http ? Math.min(remaining, HTTP_RUN_BUDGET_MS) : remaining);
    const reconciler = new Reconciler({ ...deps, graph: deps.graphFor(deadline) });
    try {
      const summary = await reconciler.run(deadline);
      return http ? json(200, summary) : summary;
    } catch (error) {
      deps.telemetry.logger.error('reconciliation failed', {
        error: error instanceof Error ? error.message : String(error),
      });
      if (http) return toErrorResponse(error);
      throw error;
    }
  });
