import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context, SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { FIXTURES } from '../../fixtures/deliveries.js';
import { LocalClaimStore } from '../../local/claim-store.js';
import { MemoryDeadLetters } from '../../local/dead-letters.js';
import { startLocalDynamo } from '../../local/dynalite.js';
import { LocalQueue } from '../../local/in-process-queue.js';
import { LocalConsumer } from '../../local/local-consumer.js';
import type { LocalStack } from '../../local/stack.js';
import { Reconciler } from '../../shared/app/reconcile/reconciler.js';
import { solutionsConsumer } from '../../shared/domains/solutions/consumer.js';
import { decodeSolutionChange } from '../../shared/domains/solutions/decode.js';
import { SolutionRepository } from '../../shared/domains/solutions/repository.js';
import { WabaRepository } from '../../shared/domains/wabas/repository.js';
import { createConsumerHandler } from '../../shared/platform/consumers/consumer.js';
import { GraphClient } from '../../shared/platform/graph/client.js';
import { signBody } from '../../shared/platform/http/signature.js';
import { Telemetry } from '../../shared/platform/observability/telemetry.js';
import { RegisterTable } from '../../shared/platform/store/register-table.js';
import { consumerPorts } from '../support/consumer-ports.js';
import { envelopesOf } from '../support/envelopes.js';
import { type FakeReply, useFakeGraph } from '../support/fake-graph.js';
import { useLocalStack } from '../support/local-stack.js';
import { held, until } from '../support/waiting.js';

const SECRET = 'fault-secret';
const faulty = useLocalStack({ env: { META_APP_SECRET: SECRET } });
const clean = useLocalStack({ env: { META_APP_SECRET: SECRET } });
const graph = useFakeGraph();

const deliver = (stack: LocalStack, body: string) =>
  fetch(`${stack.url}/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(body, SECRET) },
    body,
  });

/** Every item of every table, sorted, for comparing two stacks. */
const snapshot = async (dynamo: LocalStack['dynamo']) => {
  const items: Record<string, unknown[]> = {};
  for (const [name, table] of Object.entries(dynamo.tableNames)) {
    const { Items = [] } = await dynamo.client.send(
      new ScanCommand({ TableName: table, ConsistentRead: true }),
    );
    // `retainUntil` is when an item naming a person expires, counted from its last write: storage bookkeeping
    // that depends on when the write ran, not state.
    items[name] = Items.map((item) => {
      const { retainUntil: _expiry, ...state } = unmarshall(item);
      return state;
    }).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  }
  return items;
};

describe('faults', () => {
  it('SQS sends that throw or partially fail end in a retry or a 5xx, and after recovery the state equals a fault-free run', async () => {
    // Prepare: the first send of every batch throws; later some entries come back in Failed[].
    const deliveries = [
      'partner-added',
      'solution-created',
      'take-thread-control',
      'batched',
      'pass-thread-control',
      'partner-removed',
    ].map((name) => JSON.stringify(FIXTURES[name]?.body));
    // Each message's first send fails: half the time the call throws, else SQS reports it in Failed[].
    const seen = new Set<string>();
    let calls = 0;
    faulty.stack.queues.sendFault = (_queue, entries) => {
      calls += 1;
      const fresh = entries.filter((entry) => !seen.has(entry.body));
      for (const entry of fresh) seen.add(entry.body);
      if (fresh.length === 0) return undefined;
      if (calls % 2 === 1) throw new Error('connection reset by SQS');
      return fresh.map((entry) => ({ id: entry.id, reason: 'InternalError' }));
    };
    // Act: every delivery succeeds after retries.
    for (const body of deliveries) expect((await deliver(faulty.stack, body)).status).toBe(200);
    // Then SQS is down for good: 5xx, and Meta delivers again once it is back.
    faulty.stack.queues.sendFault = () => {
      throw new Error('SQS unavailable');
    };
    const late = JSON.stringify(FIXTURES['account-reconnected']?.body);
    expect((await deliver(faulty.stack, late)).status).toBe(503);
    faulty.stack.queues.sendFault = undefined;
    expect((await deliver(faulty.stack, late)).status).toBe(200);
    for (const body of [...deliveries, late]) expect((await deliver(clean.stack, body)).status).toBe(200);
    await Promise.all([faulty.stack.drain(), clean.stack.drain()]);
    // Assess
    expect(calls).toBeGreaterThan(deliveries.length);
    expect(await snapshot(faulty.stack.dynamo)).toEqual(await snapshot(clean.stack.dynamo));
    expect((await faulty.stack.repositories.wabas.get('102290129340398'))?.active).toBe(true);
  });

  it('DynamoDB gone mid-batch: records are retried, nothing is lost, and the state equals a fault-free run', async () => {
    // Prepare: dynalite on disk (so it can stop and come back on the same port), a clean one in memory.
    const folder = await mkdtemp(join(tmpdir(), 'switchboard-fault-'));
    let dynamo = await startLocalDynamo({ path: folder, prefix: 'fault' });
    const port = Number(new URL(dynamo.endpoint).port);
    const reference = await startLocalDynamo({ prefix: 'fault' });
    const telemetry = new Telemetry('solutions');
    const _claims = new LocalClaimStore();
    const deadLetters = new MemoryDeadLetters();
    const repository = new SolutionRepository(new RegisterTable(dynamo.client, dynamo.tableNames.solutions));
    // A batch comes back after 1 s, 20 receives before the DLQ: room for an outage of many seconds, however long a
    // busy machine takes to restart dynalite (the outage itself is counted in failed batches below).
    const dlq = new LocalQueue('solutions-dlq', { visibilityTimeoutMs: 1_000 });
    const queue = new LocalQueue('solutions', { visibilityTimeoutMs: 1_000, maxReceiveCount: 20, dlq });
    // dynalite goes away as the first batch starts its writes, and comes back once three batches have failed for
    // it: an outage counted in failed batches, never timed.
    const consume = createConsumerHandler(solutionsConsumer(consumerPorts(repository, telemetry)), {
      telemetry,
      deadLetters,
    });
    let gone: Promise<void> | undefined;
    let back: Promise<void> | undefined;
    let failedBatches = 0;
    const failed = () => {
      failedBatches += 1;
      if (failedBatches >= 3)
        back ??= (async () => {
          await gone;
          dynamo = await startLocalDynamo({ path: folder, port, prefix: 'fault' });
        })();
      return back;
    };
    const duringOutage = async (event: SQSEvent, context: Context) => {
      const answer = consume(event, context);
      gone ??= dynamo.close();
      try {
        const response = await answer;
        if (response.batchItemFailures.length > 0) await failed();
        return response;
      } catch (error) {
        await failed();
        throw error;
      }
    };
    const consumer = new LocalConsumer(queue, duringOutage, {
      batchSize: 10,
      batchWindowMs: 0,
      concurrency: 2,
      functionName: 'solutions',
      timeoutMs: 120_000, // a hang guard: middy ends an invocation when its time runs out
    });
    const delivery = {
      object: 'whatsapp_business_account',
      entry: Array.from({ length: 60 }, (_, index) => ({
        id: '506914307656634',
        time: 1_700_000_000 + (index % 7),
        changes: [
          {
            field: 'partner_solutions',
            value: {
              event: 'SOLUTION_UPDATED',
              solution_id: `7700${index % 20}`,
              solution_status: ['INITIATED', 'ACTIVE', 'PENDING_DEACTIVATION'][index % 3],
            },
          },
        ],
      })),
    };
    const envelopes = envelopesOf(delivery);
    // Act: the consumer starts, dynalite disappears under it, then comes back; every message is consumed.
    for (const envelope of envelopes) queue.send(JSON.stringify(envelope));
    consumer.start();
    await until(() => queue.size().visible + queue.size().inFlight === 0);
    await consumer.stop();
    const referenceRepository = new SolutionRepository(
      new RegisterTable(reference.client, reference.tableNames.solutions),
    );
    for (const envelope of envelopes) await referenceRepository.apply(decodeSolutionChange(envelope));
    // Assess
    expect(failedBatches).toBeGreaterThanOrEqual(3); // batches failed during the outage and were retried after it
    expect(dlq.bodies()).toEqual([]);
    expect(queue.size()).toEqual({ visible: 0, inFlight: 0 });
    const survivor = new SolutionRepository(new RegisterTable(dynamo.client, dynamo.tableNames.solutions));
    for (let index = 0; index < 20; index++) {
      expect(await survivor.table.get({ solutionId: `7700${index}` })).toEqual(
        await referenceRepository.table.get({ solutionId: `7700${index}` }),
      );
    }
    await Promise.all([dynamo.close(), reference.close()]);
    await rm(folder, { recursive: true, force: true });
  });

  it('Graph API timeouts and resets are retried; the run completes with every WABA applied', async () => {
    const dynamo = await startLocalDynamo({ prefix: 'graph' });
    const wabas = new WabaRepository(new RegisterTable(dynamo.client, dynamo.tableNames.wabas));
    const solutions = new SolutionRepository(new RegisterTable(dynamo.client, dynamo.tableNames.solutions));
    const listing = `GET /506914307656634/client_whatsapp_business_accounts`;
    const page = (ids: string[], next?: string) => (_request: unknown, base: string) => ({
      body: {
        data: ids.map((id) => ({ id, name: `n${id}` })),
        paging: next
          ? { next: `${base}/506914307656634/client_whatsapp_business_accounts?after=${next}` }
          : {},
      },
    });
    // The second page: first Meta never answers (the client's request timeout ends the wait), then the
    // connection resets, then the page comes.
    const silence = held<FakeReply>();
    let secondPageCalls = 0;
    graph.on(listing, (request, base) => {
      if (request.query.after === undefined) return page(['9100000001', '9100000002'], 'p2')(request, base);
      secondPageCalls += 1;
      if (secondPageCalls === 1) return silence.promise;
      if (secondPageCalls === 2) return { reset: true };
      return page(['9100000003'])(request, base);
    });
    for (const id of ['9100000001', '9100000002', '9100000003'])
      graph.on(`GET /${id}/solutions`, { body: { data: [] } });
    graph.on('GET /21202248997039/whatsapp_business_solutions', { body: { data: [] } });
    const client = new GraphClient({
      baseUrl: graph.base,
      token: async () => 't',
      // Long enough that no answered request times out on a busy machine; the silent one always does.
      requestTimeoutMs: 1_000,
      sleep: async () => undefined,
    });
    const summary = await new Reconciler({
      graph: client,
      wabas,
      solutions,
      identity: {
        appId: '21202248997039',
        businessId: '506914307656634',
        partnerBusinessIds: [],
        graphApiBaseUrl: graph.base,
      },
      telemetry: new Telemetry('reconcile'),
    }).run(Number.POSITIVE_INFINITY);
    silence.release({ body: {} });
    expect(summary).toMatchObject({ complete: true, wabasSeen: 3, wabasDiscovered: 3 });
    expect(secondPageCalls).toBeGreaterThanOrEqual(3);
    expect(summary.retries).toBeGreaterThanOrEqual(2);
    for (const id of ['9100000001', '9100000002', '9100000003'])
      expect(await wabas.get(id)).toMatchObject({ name: `n${id}`, discoveredBy: 'reconciliation' });
    await dynamo.close();
  });
});
