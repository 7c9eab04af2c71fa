import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { EXAMPLE } from '../../fixtures/deliveries.js';
import { MemoryDeadLetters } from '../../local/dead-letters.js';
import { type ConsumerSpec, createRecordHandler } from '../../shared/platform/consumers/consumer.js';
import { Telemetry } from '../../shared/platform/observability/telemetry.js';
import { deliver, readJson } from '../support/corpus.js';
import { envelopesOf } from '../support/envelopes.js';
import { useLocalStack } from '../support/local-stack.js';

/**
 * A signed delivery whose time is not a time Meta could have sent (9e15 pins a register for ever: every later
 * real event is stale; 1970 is before Meta existed) is an invalid event with its reason, in its domain's DLQ at
 * once, and never a register: the next real event applies. Local mode: real queues, consumers and tables.
 */
const local = useLocalStack();
const PINNING_SECONDS = 9e15;
const BEFORE_META_SECONDS = 1_000;
const now = () => Math.floor(Date.now() / 1000);

const solution = (time: number, solutionId: string, status: string) => ({
  object: 'whatsapp_business_account',
  entry: [
    {
      id: EXAMPLE.businessId,
      time,
      changes: [
        {
          field: 'partner_solutions',
          value: { event: 'SOLUTION_UPDATED', solution_id: solutionId, solution_status: status },
        },
      ],
    },
  ],
});

const ban = (time: number, wabaId: string, state: string) => ({
  object: 'whatsapp_business_account',
  entry: [
    {
      id: wabaId,
      time,
      changes: [
        {
          field: 'account_update',
          value: { event: 'DISABLED_UPDATE', ban_info: { waba_ban_state: [state], waba_ban_date: 'x' } },
        },
      ],
    },
  ],
});

const take = (timestampMs: number, userId: string, owner: string) => ({
  object: 'page',
  entry: [
    {
      id: EXAMPLE.pageId,
      time: timestampMs,
      messaging: [
        {
          sender: { id: userId },
          recipient: { id: EXAMPLE.pageId },
          timestamp: timestampMs,
          take_thread_control: { previous_owner_app_id: '1', new_owner_app_id: owner },
        },
      ],
    },
  ],
});

const deadLetters = (queue: string) =>
  local.stack.queues.queues[queue]?.dlq?.peek().map((message) => message.attributes.reason ?? '') ?? [];

describe('event times outside a sane range are invalid events, to the DLQ at once', () => {
  it('solutions: entry.time 9e15 is refused with its reason; the next real event applies', async () => {
    const id = '661000000000001';
    const pinned = await deliver(local.stack, solution(PINNING_SECONDS, id, 'DEACTIVATED'));
    await deliver(local.stack, solution(now() - 60, id, 'ACTIVE'));

    expect(pinned.routed).toMatchObject({ solutions: 1, 'solutions-dlq': 1 });
    expect(deadLetters('solutions').at(-1)).toMatch(/entry\.time .*future/);
    expect((await readJson(local.stack, `/v1/solutions/${id}`)).body).toMatchObject({ status: 'ACTIVE' });
  });

  it('WABAs: entry.time 9e15 and a time before Meta existed are refused; the real ban applies', async () => {
    const wabaId = '662000000000001';
    const pinned = await deliver(local.stack, ban(PINNING_SECONDS, wabaId, 'DISABLE'));
    const ancient = await deliver(local.stack, ban(BEFORE_META_SECONDS, wabaId, 'DISABLE'));
    await deliver(local.stack, ban(now() - 60, wabaId, 'REINSTATE'));

    expect(pinned.routed).toMatchObject({ 'wabas-dlq': 1 });
    expect(ancient.routed).toMatchObject({ 'wabas-dlq': 1 });
    expect(deadLetters('wabas').slice(-2)).toEqual([
      expect.stringMatching(/future/),
      expect.stringMatching(/before/),
    ]);
    expect((await readJson(local.stack, `/v1/wabas/${wabaId}`)).body).toMatchObject({ banned: false });
  });

  it('threads: a handover timestamp of 9e15 ms is refused; the next real one applies', async () => {
    const userId = '663000000000001';
    const pinned = await deliver(local.stack, take(PINNING_SECONDS, userId, '111'));
    await deliver(local.stack, take(Date.now() - 60_000, userId, '222'));

    expect(pinned.routed).toMatchObject({ 'threads-dlq': 1 });
    expect(deadLetters('threads').at(-1)).toMatch(/future/);
    const thread = await readJson(local.stack, `/v1/threads/${EXAMPLE.pageId}/${userId}`);
    expect(thread.body).toMatchObject({ ownerAppId: '222' });
  });
});

describe('the rule is the platform consumer’s, for every domain', () => {
  it('a domain whose decoder reads no time still never applies an entry.time of 9e15', async () => {
    // Prepare: a decoder that ignores time entirely (a new domain's first draft)
    const deadLetters = new MemoryDeadLetters();
    let applied = 0;
    const spec: ConsumerSpec<unknown> = {
      domain: 'notes',
      decode: (envelope) => envelope.change,
      apply: async () => {
        applied += 1;
        return 'applied';
      },
    };
    const handle = createRecordHandler(spec, { telemetry: new Telemetry('notes'), deadLetters });
    const [envelope] = envelopesOf(solution(PINNING_SECONDS, '661000000000009', 'ACTIVE'), Date.now());

    // Act
    const outcome = await handle({ messageId: 'm', body: JSON.stringify(envelope) } as SQSRecord);

    // Assess
    expect(outcome).toBe('invalid');
    expect(applied).toBe(0);
    expect(deadLetters.messages[0]?.attributes).toMatchObject({
      queue: 'notes',
      reason: expect.stringMatching(/future/),
    });
  });
});
