import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { EXAMPLE, FIXTURES } from '../../fixtures/deliveries.js';
import { decodeWabaChange } from '../../shared/domains/wabas/decode.js';
import { wabaEvents } from '../../shared/domains/wabas/events.js';
import { WabaRepository } from '../../shared/domains/wabas/repository.js';
import { EventBridgePublisher } from '../../shared/platform/aws/eventbridge-publisher.js';
import { createStreamHandler } from '../../shared/platform/events/stream-handler.js';
import { Telemetry } from '../../shared/platform/observability/telemetry.js';
import { RegisterTable } from '../../shared/platform/store/register-table.js';
import { clearTables, deliver, readJson, sample } from '../support/corpus.js';
import { useLocalTables } from '../support/dynamo.js';
import { fixtureEnvelope } from '../support/envelopes.js';
import { context } from '../support/lambda.js';
import { useLocalStack } from '../support/local-stack.js';

/**
 * Domain events: one per effective change of the read model, none for a duplicate or a stale event; in AWS
 * from the tables' change streams (so a crash between a write and its publish loses nothing), locally from
 * the same diff on an in-process bus. Replay of archived deliveries changes nothing that was right.
 */
const local = useLocalStack();
const tables = useLocalTables();
const run = promisify(execFile);

const eventsSince = async (after: number) =>
  (await readJson(local.stack, `/local/events?after=${after}`)).body as {
    items: { id: string; 'detail-type': string; detail: Record<string, unknown> }[];
    next: number;
  };

beforeEach(() => clearTables(local.stack));

describe('domain events in local mode', () => {
  it('a PARTNER_ADDED emits exactly one WABA Onboarded; the same delivery again, or an older event, emits nothing', async () => {
    const start = (await eventsSince(0)).next;
    await deliver(local.stack, FIXTURES['partner-added']?.body);
    const first = await eventsSince(start);
    await deliver(local.stack, FIXTURES['partner-added']?.body);
    const older = structuredClone(FIXTURES['partner-added']?.body) as { entry: { time: number }[] };
    for (const entry of older.entry) entry.time -= 3_600;
    await deliver(local.stack, older);
    const after = await eventsSince(first.next);

    expect(first.items.map((event) => event['detail-type'])).toEqual(['WABA Onboarded']);
    expect(first.items[0]?.detail).toMatchObject({
      wabaId: EXAMPLE.wabaId,
      solutionId: EXAMPLE.solutionId,
      ownerBusinessId: EXAMPLE.customerBusinessId,
      discoveredBy: 'webhook',
      eventId: first.items[0]?.id,
    });
    expect(after.items).toEqual([]);
  });

  it('a WABA first seen through a fact reports that fact alone, not every empty default beside it', async () => {
    const start = (await eventsSince(0)).next;
    await deliver(local.stack, sample('account-update/verified-account-phone-number').body);
    const { items } = await eventsSince(start);
    expect(items.map((event) => event['detail-type'])).toEqual(['WABA Updated']);
    expect(Object.keys(items[0]?.detail.changed as Record<string, unknown>)).toEqual(['facts']);
  });

  it('offboarding, a fact, a solution status and a thread owner each emit their documented event once', async () => {
    const start = (await eventsSince(0)).next;
    for (const name of ['partner-added', 'partner-removed', 'solution-created', 'pass-thread-control'])
      await deliver(local.stack, FIXTURES[name]?.body);
    const { items } = await eventsSince(start);
    expect(items.map((event) => event['detail-type'])).toEqual([
      'WABA Onboarded',
      'WABA Offboarded',
      'Solution Status Changed',
      'Thread Owner Changed',
    ]);
    expect(items[1]?.detail).toMatchObject({ wabaId: EXAMPLE.wabaId, reason: 'PARTNER_REMOVED' });
    expect(items[2]?.detail).toMatchObject({
      status: 'INITIATED',
      previousStatus: null,
      pendingRequest: null,
    });
    expect(items[3]?.detail).toMatchObject({ pageId: EXAMPLE.pageId, ownerAppId: expect.any(String) });
    expect(new Set(items.map((event) => event.id)).size).toBe(items.length);
  });

  it('replaying a window re-applies it with 0 events when state was right, and the right events when it was not', async () => {
    // The window starts after every earlier test's deliveries (whole seconds).
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const from = Math.floor(Date.now() / 1000);
    for (const name of ['partner-added', 'solution-created'])
      await deliver(local.stack, FIXTURES[name]?.body);
    const before = (await eventsSince(0)).next;

    const unchanged = await readJson(local.stack, '/v1/replay', {
      method: 'POST',
      body: JSON.stringify({ from, to: Math.floor(Date.now() / 1000) + 1 }),
    });
    await local.stack.drain();
    const afterReplay = await eventsSince(before);
    // A decoder bug had dropped a delivery: the state lost it. A replay after the fix brings it back.
    await clearTables(local.stack);
    const again = await readJson(local.stack, '/v1/replay', {
      method: 'POST',
      body: JSON.stringify({ from, to: Math.floor(Date.now() / 1000) + 1 }),
    });
    await local.stack.drain();
    const restored = await eventsSince(afterReplay.next);

    expect(unchanged).toMatchObject({ status: 200, body: { deliveries: 2, changes: 2, complete: true } });
    expect(afterReplay.items).toEqual([]);
    expect(again.body).toMatchObject({ deliveries: 2 });
    expect(restored.items.map((event) => event['detail-type']).sort()).toEqual([
      'Solution Status Changed',
      'WABA Onboarded',
    ]);
    expect((await readJson(local.stack, `/v1/wabas/${EXAMPLE.wabaId}`)).status).toBe(200);
  });

  it('`switchboard events tail --once` prints the events as they came', async () => {
    await deliver(local.stack, FIXTURES['partner-added']?.body);
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', 'cli/switchboard.ts', 'events', 'tail', '--once', '--url', local.stack.url],
      { env: { ...process.env } },
    );
    expect(stdout).toContain('WABA Onboarded');
  });
});

describe('domain events in AWS: from the change stream', () => {
  it('a consumer that crashed after its write still gets its event published: the stream record carries it', async () => {
    // Prepare: the write happened (the consumer then died before anything else), and the stream holds it.
    const wabas = new WabaRepository(new RegisterTable(tables.dynamo.client, tables.dynamo.tableNames.wabas));
    const event = decodeWabaChange(fixtureEnvelope('partner-added'));
    await wabas.apply(event);
    const after = await wabas.table.get({ wabaId: event.wabaId });
    const eventBridge = mockClient(EventBridgeClient);
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] });
    const handler = createStreamHandler({
      publisher: new EventBridgePublisher('switchboard-bus', new EventBridgeClient({ region: 'us-east-1' })),
      derive: { [tables.dynamo.tableNames.wabas]: wabaEvents },
      telemetry: new Telemetry('events'),
    });
    const record = (id: string) => ({
      eventID: id,
      eventName: 'INSERT' as const,
      eventSourceARN: `arn:aws:dynamodb:us-east-1:123456789012:table/${tables.dynamo.tableNames.wabas}/stream/2026-11-22T00:00:00.000`,
      dynamodb: {
        SequenceNumber: `10000000000000000000${id}`,
        ApproximateCreationDateTime: 1_763_800_000,
        NewImage: marshall(after ?? {}, { removeUndefinedValues: true }) as never,
      },
    });

    // Act: the record, then the same record delivered again by Lambda
    const answer = await handler(
      { Records: [record('1'), record('2')] } as DynamoDBStreamEvent,
      context('events'),
    );

    // Assess
    const entries = eventBridge
      .commandCalls(PutEventsCommand)
      .flatMap((call) => call.args[0].input.Entries ?? []);
    expect(answer).toEqual({ batchItemFailures: [] });
    expect(entries.map((entry) => entry.DetailType)).toEqual(['WABA Onboarded', 'WABA Onboarded']);
    const [first, second] = entries.map((entry) => JSON.parse(entry.Detail ?? '{}') as { eventId: string });
    expect(first?.eventId).toBe(second?.eventId); // the same change, the same ID: subscribers de-duplicate
    expect(entries[0]).toMatchObject({ Source: 'switchboard', EventBusName: 'switchboard-bus' });

    // A refused publish fails the record (Lambda retries it), counted; it is never skipped.
    eventBridge
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] });
    const failed = await handler({ Records: [record('3')] } as DynamoDBStreamEvent, context('events'));
    expect(failed).toEqual({ batchItemFailures: [{ itemIdentifier: '100000000000000000003' }] });
    eventBridge.restore();
  });
});
