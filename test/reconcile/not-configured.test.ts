import { describe, expect, it, vi } from 'vitest';
import { LocalClaimStore } from '../../local/claim-store.js';
import { FileArchive } from '../../local/file-archive.js';
import { LocalQueues } from '../../local/in-process-queue.js';
import { createReconcileHandler } from '../../shared/app/reconcile/handler.js';
import { composeIntake } from '../../shared/app/roots/webhook.js';
import { GraphClient } from '../../shared/platform/graph/client.js';
import { Telemetry } from '../../shared/platform/observability/telemetry.js';
import { useLocalTables } from '../support/dynamo.js';
import { useFakeGraph } from '../support/fake-graph.js';
import { context } from '../support/lambda.js';
import { QUEUE_NAMES } from '../support/queues.js';
import { APP, BUSINESS } from '../support/reconcile.js';

const graph = useFakeGraph();
const tables = useLocalTables();

describe('a scheduled reconciliation before the system user token is set', () => {
  it('reports "not configured" (a WARN line and ReconcileNotConfigured) and succeeds, asking Meta nothing', async () => {
    // Prepare: the reconcile function of a fresh deployment (step 4 of the Deploy guide not done yet)
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    const handler = createReconcileHandler({
      wabas: tables.wabas,
      solutions: tables.solutions,
      control: tables.control,
      identity: { appId: APP, businessId: BUSINESS, partnerBusinessIds: [], graphApiBaseUrl: graph.base },
      telemetry: new Telemetry('reconcile'),
      safetyMarginMs: 1_000,
      replay: {
        reader: new FileArchive(),
        intake: composeIntake({
          sink: new LocalQueues(QUEUE_NAMES, { visibilityTimeoutMs: 1_000, maxReceiveCount: 5 }),
          claims: new LocalClaimStore(),
        }),
      },
      graphFor: (deadline) => new GraphClient({ baseUrl: graph.base, token: async () => '', deadline }),
      configured: async () => false,
    });
    const lines: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });

    // Act
    const answer = await handler({ sweepOwner: 'execution-1' }, context('reconcile')).finally(() =>
      write.mockRestore(),
    );
    vi.unstubAllEnvs();

    // Assess
    expect(answer).toMatchObject({
      skipped: true,
      more: false,
      reason: expect.stringContaining('not configured'),
    });
    const output = lines.join('');
    expect(output).toMatch(/"level":"WARN".*reconciliation not configured/);
    expect(output).toContain('"ReconcileNotConfigured"');
    expect(graph.requests).toEqual([]);
  });
});
