import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import AjvDraft04 from 'ajv-draft-04';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { eventSchemasOf } from '../../infra/constructs/event-schemas.js';
import { privacySchemas } from '../../shared/app/privacy/schema.js';
import { ERASED_BEFORE, RETAIN_UNTIL } from '../../shared/kernel/registers.js';
import { Telemetry } from '../../shared/platform/observability/telemetry.js';
import { deliver, readJson, sample } from '../support/corpus.js';
import { useLocalStack } from '../support/local-stack.js';

/**
 * Erasure on real tables (dynalite) through local mode: `DELETE /v1/users/{userId}` leaves nothing of the person
 * outside the archive but a tombstone, and no late, redelivered or replayed event brings them back.
 */
const local = useLocalStack();
// A CommonJS module: under Node's ESM interop its class is the default export's `default`.
const Ajv = AjvDraft04.default;
const PAGE = '104508901353867';
const ERASED = '2718281828459045';
const KEPT = '3141592653589793';
const pass = sample('handover/pass-thread-control');

/** Meta's pass_thread_control sample, about another user or at another time. */
const passFor = (userId: string, timestamp = 1458692752478) => {
  const body = structuredClone(pass.body) as {
    entry: { time: number; messaging: { sender: { id: string }; timestamp: number }[] }[];
  };
  for (const entry of body.entry) {
    entry.time = timestamp;
    for (const event of entry.messaging) Object.assign(event, { sender: { id: userId }, timestamp });
  }
  return body;
};

const threadItems = async () => {
  const { Items = [] } = await local.stack.dynamo.client.send(
    new ScanCommand({ TableName: local.stack.dynamo.tableNames.threads }),
  );
  return Items.map((item) => unmarshall(item));
};

const erase = async (userId: string) => readJson(local.stack, `/v1/users/${userId}`, { method: 'DELETE' });

const thread = (userId: string) => readJson(local.stack, `/v1/threads/${PAGE}/${userId}`);

type CountCall = Parameters<Telemetry['count']>;

/** `EventsProcessed` counted with outcome `erased` by the threads consumer. */
const erasedCounted = (calls: readonly CountCall[]): number =>
  calls
    .filter(([name, , dimensions]) => name === 'EventsProcessed' && dimensions?.Outcome === 'erased')
    .reduce((sum, [, value]) => sum + (value ?? 1), 0);

afterEach(() => vi.restoreAllMocks());

describe('DELETE /v1/users/{userId}', () => {
  it('removes every trace of the person outside the archive, and says what remains until when', async () => {
    // Prepare: two people's threads on one page.
    const start = Date.now();
    await deliver(local.stack, pass.body);
    await deliver(local.stack, passFor(KEPT));
    expect((await thread(ERASED)).status).toBe(200);

    // Act
    const answer = await erase(ERASED);

    // Assess: the answer (CONTRACT), the archive's date stated in it.
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ erased: 1, domains: { threads: 1 } });
    expect(answer.body.confirmationCode).toMatch(/^[A-Za-z0-9]+$/);
    expect(answer.body.archiveKeptUntil).toBeGreaterThan(start / 1000 + 35 * 86_400);
    expect(String(answer.body.remaining)).toContain('archive');
    // The tables: the person's item is a tombstone (keys, floor, expiry); the other thread is untouched.
    const items = await threadItems();
    const tombstone = items.find((item) => item.userId === ERASED);
    expect(Object.keys(tombstone ?? {}).sort()).toEqual(
      [ERASED_BEFORE, 'pageId', RETAIN_UNTIL, 'userId'].sort(),
    );
    expect(items.find((item) => item.userId === KEPT)).toHaveProperty('r_pass');
    // The read model and the queues: nothing.
    expect((await thread(ERASED)).status).toBe(404);
    expect((await thread(KEPT)).status).toBe(200);
    for (const queue of Object.values(local.stack.queues.queues)) {
      expect(queue.size().visible + queue.size().inFlight).toBe(0);
      expect(queue.dlq?.size().visible ?? 0).toBe(0);
    }
    // The erasure as a domain event, naming nobody.
    const erased = local.stack.events.items.filter((event) => event['detail-type'] === 'User Erased');
    expect(erased.at(-1)?.detail).toMatchObject({
      confirmationCode: answer.body.confirmationCode,
      erased: 1,
    });
    expect(JSON.stringify(erased)).not.toContain(ERASED);
    const schema = eventSchemasOf([], privacySchemas)['User Erased'] ?? {};
    const validate = new Ajv({ strict: false }).compile(schema);
    expect(validate(erased.at(-1)), JSON.stringify(validate.errors)).toBe(true);
    // The status of the confirmation code.
    const status = await readJson(local.stack, `/data-deletion/${String(answer.body.confirmationCode)}`);
    expect(status.body).toMatchObject({ status: 'complete', erased: 1, requestedBy: 'operator' });
  });

  it('a redelivered or replayed event about the person is skipped and counted; a new one applies', async () => {
    // Prepare: the person's thread, then their erasure.
    const user = '1618033988749894';
    const from = Math.floor(Date.now() / 1000) - 1;
    await deliver(local.stack, passFor(user));
    expect((await erase(user)).body.erased).toBe(1);
    const count = vi.spyOn(Telemetry.prototype, 'count');

    // Act: Meta delivers the same event again, then the archive is replayed.
    await deliver(local.stack, passFor(user));
    const replay = await readJson(local.stack, '/v1/replay', {
      method: 'POST',
      body: JSON.stringify({ from, to: Math.floor(Date.now() / 1000) + 1 }),
    });
    await local.stack.drain();

    // Assess: nothing came back, and both refusals were counted.
    expect(replay.body.deliveries).toBeGreaterThanOrEqual(1);
    expect((await thread(user)).status).toBe(404);
    expect(Object.keys((await threadItems()).find((item) => item.userId === user) ?? {})).not.toContain(
      'r_pass',
    );
    // The redelivery, and the replay of both deliveries about the person.
    expect(erasedCounted(count.mock.calls)).toBeGreaterThanOrEqual(3);

    // Act: the person writes again after the erasure (a newer event).
    await deliver(local.stack, passFor(user, Date.now() + 60_000));

    // Assess: that is new data, kept as any other.
    expect((await thread(user)).body).toMatchObject({ userId: user, ownerAppId: '123456789' });
  });

  it('erases nothing for an unknown person, refuses an ID that is not one, and tells both apart', async () => {
    // Act
    const unknown = await erase('999999999999');
    const business = await erase('US.13491208655302741918');
    const invalid = await erase('%23page');

    // Assess
    expect([unknown.status, unknown.body.erased]).toEqual([200, 0]);
    expect([business.status, business.body.erased]).toEqual([200, 0]);
    expect(invalid.status).toBe(400);
  });
});
