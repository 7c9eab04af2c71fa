import { describe, expect, it } from 'vitest';
import { FIXTURES } from '../../fixtures/deliveries.js';
import { LocalClaimStore } from '../../local/claim-store.js';
import { LocalQueues } from '../../local/in-process-queue.js';
import { createReconcileHandler } from '../../shared/app/reconcile/handler.js';
import { composeIntake } from '../../shared/app/roots/webhook.js';
import type { ArchivedEntryAt, ArchiveReader } from '../../shared/platform/archive/archive.js';
import { GraphClient } from '../../shared/platform/graph/client.js';
import type { HttpResult } from '../../shared/platform/http/types.js';
import { Telemetry } from '../../shared/platform/observability/telemetry.js';
import { useLocalTables } from '../support/dynamo.js';
import { context, httpEvent } from '../support/lambda.js';
import { QUEUE_NAMES } from '../support/queues.js';

/**
 * Replays of one window are serialized by a lease in the control table (dynalite), as reconciliation's runs
 * are: a second call while one runs answers 409; another window is not held up; the lease is free once the
 * call answers.
 */
const tables = useLocalTables();

/** An archive whose reading waits for `open()`: a replay in progress for as long as the test wants. */
const gatedArchive = () => {
  let open: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const reader: ArchiveReader = {
    async *read(): AsyncIterable<ArchivedEntryAt> {
      await gate;
      const body = Buffer.from(JSON.stringify(FIXTURES['partner-added']?.body));
      yield { receivedAt: 1_000_500, body, position: { partition: '1970/01/01/00', key: '', line: 0 } };
    },
  };
  return { reader, open: () => open() };
};

const handlerWith = (reader: ArchiveReader) =>
  createReconcileHandler({
    wabas: tables.wabas,
    solutions: tables.solutions,
    control: tables.control,
    identity: {
      appId: '1',
      businessId: '2',
      partnerBusinessIds: [],
      graphApiBaseUrl: 'http://127.0.0.1:9/v1',
    },
    telemetry: new Telemetry('reconcile'),
    safetyMarginMs: 1_000,
    replay: {
      reader,
      intake: composeIntake({
        sink: new LocalQueues(QUEUE_NAMES, { visibilityTimeoutMs: 1_000, maxReceiveCount: 5 }),
        claims: new LocalClaimStore(),
      }),
    },
    graphFor: (deadline) =>
      new GraphClient({ baseUrl: 'http://127.0.0.1:9/v1', token: async () => 't', deadline }),
  });

const replayOf = (handler: ReturnType<typeof handlerWith>, from: number, to: number) =>
  handler(
    httpEvent({ method: 'POST', path: '/v1/replay', body: JSON.stringify({ from, to }) }),
    context('reconcile'),
  ) as Promise<HttpResult>;

describe('replays of one window never overlap', () => {
  it('a second call on the same window answers 409 while the first runs; another window runs', async () => {
    // Prepare
    const archive = gatedArchive();
    const handler = handlerWith(archive.reader);

    // Act
    const first = replayOf(handler, 1_000, 2_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const same = await replayOf(handler, 1_000, 2_000);
    const other = replayOf(handler, 1_000, 2_001);
    archive.open();
    const [firstAnswer, otherAnswer] = await Promise.all([first, other]);
    const again = await replayOf(handler, 1_000, 2_000);

    // Assess
    expect(same.statusCode).toBe(409);
    expect(JSON.parse(same.body)).toMatchObject({ error: 'replay_in_progress' });
    expect([firstAnswer.statusCode, otherAnswer.statusCode, again.statusCode]).toEqual([200, 200, 200]);
    expect(JSON.parse(firstAnswer.body)).toMatchObject({ deliveries: 1, complete: true, cursor: null });
  });
});
