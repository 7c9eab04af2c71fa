import type { Context } from 'aws-lambda';
import { BadRequestError, SwitchboardError } from '../../kernel/errors.js';
import { isRecord } from '../../kernel/json.js';
import type { ArchiveReader } from '../../platform/archive/archive.js';
import type { GraphClient } from '../../platform/graph/client.js';
import { dispatch, type RouteHandler } from '../../platform/http/dispatch.js';
import { httpErrors } from '../../platform/http/http-errors.js';
import { jsonObjectBody } from '../../platform/http/request.js';
import { json } from '../../platform/http/response.js';
import type { HttpApiEvent, HttpResult } from '../../platform/http/types.js';
import type { Telemetry } from '../../platform/observability/telemetry.js';
import { lambda } from '../../platform/runtime/lambda.js';
import type { ControlTable } from '../../platform/store/control.js';
import type { DeliveryIntake } from '../intake/intake.js';
import { parseReplayWindow, type ReplayResult, type ReplayWindow, replay } from '../replay/replay.js';
import { ROUTES } from '../routes.js';
import { type ReconcileDeps, Reconciler } from './reconciler.js';
import { readSweepStatus, type SweepStatus } from './status.js';
import type { ReconcileSummary } from './summary.js';
import { completed, type SweepCheckpoint } from './sweep.js';

/** API Gateway gives up after 30 s: an on-demand run ends well before with a partial summary. */
export const HTTP_RUN_BUDGET_MS = 25_000;
/** The control item holding reconciliation's lease, its sweep checkpoint and the last completed sweep. */
export const RECONCILE_CONTROL_KEY = 'reconcile';
/** A Step Functions sweep keeps its lease between runs this long (its next run starts within seconds). */
const SWEEP_LEASE_GAP_MS = 120_000;

export interface ReconcileHandlerDeps extends Omit<ReconcileDeps, 'graph' | 'baseline'> {
  /** A fresh client per run, bounded by the run's deadline (its retry count is the run's). */
  graphFor(deadline: number): GraphClient;
  control: ControlTable;
  /** Kept free before the Lambda timeout for writing the summary. */
  safetyMarginMs: number;
  telemetry: Telemetry;
  /** `POST /v1/replay`: the delivery archive, and the webhook's way into the queues. */
  replay: { reader: ArchiveReader; intake: DeliveryIntake };
  /**
   * False until the system user token is set (a fresh deployment, before the Deploy guide's step 4): scheduled
   * runs then report "not configured" and succeed, so no alarm fires on a correct deployment.
   */
  configured?: () => Promise<boolean>;
  /** `POST /v1/relay/{name}/replay` (shared/app/relay): the archive again, onto one destination's queue. */
  relayReplay?: RouteHandler;
}

/** A run found another one in progress: runs never overlap. */
export class ReconcileInProgressError extends SwitchboardError {
  public constructor() {
    super(409, 'reconcile_in_progress', 'a reconciliation is already running; try again when it ends');
  }
}

const noRelay: RouteHandler = async () => {
  throw new BadRequestError('no relay destinations are configured');
};

/** Another replay of the same window is running: replays of one window never overlap. */
export class ReplayInProgressError extends SwitchboardError {
  public constructor() {
    super(409, 'replay_in_progress', 'a replay of this window is already running; try again when it answers');
  }
}

/**
 * One call of a replay, under the window's lease in the control table (as reconciliation's): the same window is
 * never replayed twice at once. The lease lasts the call's budget (plus the margin), so a call that dies frees
 * it soon; the call itself never runs past its budget, which ends before API Gateway gives up on its caller.
 */
const replayExclusively = async (
  deps: ReconcileHandlerDeps,
  window: ReplayWindow,
  budget: number,
  owner: string,
): Promise<ReplayResult> => {
  const now = deps.now ?? Date.now;
  const key = `replay#${window.from}#${window.to}`;
  const deadline = now() + budget;
  if (!(await deps.control.acquireLease(key, owner, deadline + deps.safetyMarginMs, now())))
    throw new ReplayInProgressError();
  try {
    return await replay(deps.replay.reader, deps.replay.intake, window, deadline, now);
  } finally {
    await deps.control.releaseLease(key, owner);
  }
};

const isHttpEvent = (event: unknown): event is HttpApiEvent =>
  typeof event === 'object' && event !== null && 'requestContext' in event && 'routeKey' in event;

export interface SkippedRun {
  skipped: true;
  reason: string;
  more: false;
}

const NOT_CONFIGURED = 'not configured: META_SYSTEM_USER_TOKEN is empty in the Meta secret (MetaSecretArn)';

/** One run's answer; `more` tells the Step Functions loop to run again (the sweep goes on). */
export type RunAnswer = ReconcileSummary & { more: boolean };

/**
 * Runs reconciliation: from the Step Functions sweep loop (`{ "sweepOwner": <execution> }`, which holds the
 * lease across its runs until the sweep completes), on a bare schedule event (one run), or on
 * `POST /v1/reconcile` (one run within API Gateway's time; answers the summary). Every run continues the
 * stored sweep. A lease in the control table keeps runs from ever overlapping: a run that finds another
 * holder ends at once (409 over HTTP). `GET /v1/reconcile` reads the sweep's state.
 */
export const createReconcileHandler = (deps: ReconcileHandlerDeps) => {
  const now = deps.now ?? Date.now;
  const run = async (
    context: Context,
    http: boolean,
    sweepOwner?: string,
  ): Promise<RunAnswer | SkippedRun> => {
    const remaining = context.getRemainingTimeInMillis() - deps.safetyMarginMs;
    const deadline = now() + Math.max(1_000, http ? Math.min(remaining, HTTP_RUN_BUDGET_MS) : remaining);
    if (!http && deps.configured !== undefined && !(await deps.configured())) {
      deps.telemetry.logger.warn(`reconciliation ${NOT_CONFIGURED}: set it (Deploy guide, step 4)`);
      deps.telemetry.count('ReconcileNotConfigured', 1);
      return { skipped: true, reason: NOT_CONFIGURED, more: false };
    }
    const owner = sweepOwner ?? context.awsRequestId;
    const leaseUntil = deadline + deps.safetyMarginMs + (sweepOwner === undefined ? 0 : SWEEP_LEASE_GAP_MS);
    if (!(await deps.control.acquireLease(RECONCILE_CONTROL_KEY, owner, leaseUntil, now()))) {
      if (http) throw new ReconcileInProgressError();
      deps.telemetry.logger.info('reconciliation skipped: another run holds the lease');
      return { skipped: true, reason: 'another run is in progress', more: false };
    }
    let keepLease = false;
    try {
      const state = await deps.control.get(RECONCILE_CONTROL_KEY);
      const status = readSweepStatus(state, now());
      const baseline = typeof state?.baselineCompletedAt !== 'number';
      const save = async (sweep: SweepCheckpoint) => {
        await deps.control.set(RECONCILE_CONTROL_KEY, { sweep }, owner);
      };
      // Graph calls may run past the point where the run stops starting pages (half the margin): a page asked
      // for before the deadline is finished and recorded, never cut off and fetched again by the next run.
      const graph = deps.graphFor(deadline + deps.safetyMarginMs / 2);
      const reconciler = new Reconciler({ ...deps, graph, baseline });
      const summary = await reconciler.run(deadline, status.current ?? undefined, save);
      const sweep = summary.sweep;
      if (sweep !== null && summary.complete) {
        const done = completed(sweep, now());
        await deps.control.set(
          RECONCILE_CONTROL_KEY,
          {
            sweep: null,
            lastCompletedSweep: done,
            ...(baseline ? { baselineCompletedAt: done.completedAt } : {}),
          },
          owner,
        );
        deps.telemetry.count('ReconcileSweepsCompleted', 1, undefined, true);
      } else if (sweep !== null) {
        await save(sweep);
      }
      const lastCompletedAt = summary.complete
        ? now()
        : (status.lastCompleted?.completedAt ?? sweep?.startedAt);
      if (lastCompletedAt !== undefined)
        deps.telemetry.count(
          'ReconcileSweepAgeSeconds',
          Math.round((now() - lastCompletedAt) / 1000),
          undefined,
          true,
        );
      // A sweep that made no progress in a whole run (nothing listed) stops its loop instead of spinning.
      const more = sweepOwner !== undefined && !summary.complete && summary.pages > 0;
      keepLease = more;
      return { ...summary, more };
    } finally {
      if (!keepLease) await deps.control.releaseLease(RECONCILE_CONTROL_KEY, owner);
    }
  };
  const status = async (): Promise<SweepStatus> =>
    readSweepStatus(await deps.control.get(RECONCILE_CONTROL_KEY), now());
  const http = dispatch(ROUTES, 'reconcile', {
    'reconcile.run': async (_event, context) => json(200, await run(context, true)),
    'reconcile.status': async () => json(200, await status()),
    'replay.run': async (event, context) => {
      const window = parseReplayWindow(jsonObjectBody(event));
      const budget = Math.min(HTTP_RUN_BUDGET_MS, context.getRemainingTimeInMillis() - deps.safetyMarginMs);
      const result = await replayExclusively(deps, window, budget, context.awsRequestId);
      deps.telemetry.count('DeliveriesReplayed', result.deliveries, undefined, true);
      return json(200, result);
    },
    'relay.replay': deps.relayReplay ?? noRelay,
  });
  return lambda(
    deps.telemetry,
    (event: unknown, context: Context): Promise<HttpResult | RunAnswer | SkippedRun> => {
      if (isHttpEvent(event)) return http(event, context);
      const sweepOwner =
        isRecord(event) && typeof event.sweepOwner === 'string' ? event.sweepOwner : undefined;
      return run(context, false, sweepOwner);
    },
  ).use(httpErrors(deps.telemetry));
};
