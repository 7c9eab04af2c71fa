import { LocalClaimStore } from '../../local/claim-store.js';
import { FileArchive } from '../../local/file-archive.js';
import { LocalQueues } from '../../local/in-process-queue.js';
import { createReconcileHandler } from '../../shared/app/reconcile/handler.js';
import { composeIntake } from '../../shared/app/roots/webhook.js';
import { GraphClient } from '../../shared/platform/graph/client.js';
import { Telemetry } from '../../shared/platform/observability/telemetry.js';
import type { TestTables } from './dynamo.js';
import type { FakeGraph } from './fake-graph.js';
import { QUEUE_NAMES } from './queues.js';

export const BUSINESS = '506914307656634';
export const APP = '21202248997039';

/**
 * The reconcile function over dynalite tables and a Graph stand-in (no waits between retries). With `now`, the
 * run's deadline, its lease and the Graph client's budget all read that clock (a test moves it, no real waits).
 */
export const reconcileHandler = (
  tables: TestTables,
  graph: FakeGraph,
  now?: () => number,
  safetyMarginMs = 1_000,
) =>
  createReconcileHandler({
    ...(now === undefined ? {} : { now }),
    wabas: tables.wabas,
    solutions: tables.solutions,
    control: tables.control,
    identity: { appId: APP, businessId: BUSINESS, partnerBusinessIds: [], graphApiBaseUrl: graph.base },
    telemetry: new Telemetry('reconcile'),
    safetyMarginMs,
    replay: {
      reader: new FileArchive(),
      intake: composeIntake({
        sink: new LocalQueues(QUEUE_NAMES, { visibilityTimeoutMs: 1_000, maxReceiveCount: 5 }),
        claims: new LocalClaimStore(),
      }),
    },
    graphFor: (deadline) =>
      new GraphClient({
        baseUrl: graph.base,
        token: async () => 'token',
        deadline,
        sleep: async () => undefined,
        ...(now === undefined ? {} : { now }),
      }),
  });
