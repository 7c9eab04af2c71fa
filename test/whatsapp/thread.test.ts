import { describe, expect, it } from 'vitest';
import { splitDelivery } from '../../shared/app/intake/split.js';
import { DOMAINS } from '../../shared/domains/registry.js';
import { decodeWhatsappChange } from '../../shared/domains/whatsapp-threads/decode.js';
import { whatsappThreadEvents } from '../../shared/domains/whatsapp-threads/events.js';
import { applyFact, type WhatsappFact } from '../../shared/domains/whatsapp-threads/facts.js';
import { whatsappThreadsManifest } from '../../shared/domains/whatsapp-threads/manifest.js';
import {
  conversationContextOf,
  IDLE_AFTER_MS,
  projectWhatsappThread,
} from '../../shared/domains/whatsapp-threads/view.js';
import { QueueRouter } from '../../shared/platform/domain/routing.js';
import type { ChangeEnvelope } from '../../shared/platform/queue/envelope.js';
import { sample } from '../support/corpus.js';
import { fold } from '../support/envelopes.js';

const QUEUE = whatsappThreadsManifest.name;
const router = new QueueRouter(DOMAINS);
const PHONE_NUMBER = '106540352242922';
const USER = '16505551234';
const T = 1_750_101_000_000;
/** When the samples were received: a minute after the newest of them, so none lies in the future. */
const RECEIVED = T + 60_000;

/** What the domain's queue receives of a delivery: each change it takes, as the routing projection left it. */
const routed = (body: unknown): ChangeEnvelope[] =>
  splitDelivery(body as Record<string, unknown>, { deliveryId: 'd', receivedAt: RECEIVED })
    .filter((envelope) => router.queuesFor(envelope).includes(QUEUE))
    .map((envelope) => router.shape(QUEUE, envelope));

const factsOf = (file: string): WhatsappFact[] =>
  routed(sample(`whatsapp-routing/${file}`).body).flatMap(decodeWhatsappChange);

const fact = (overrides: Record<string, unknown> & Pick<WhatsappFact, 'kind'>): WhatsappFact =>
  ({
    phoneNumberId: PHONE_NUMBER,
    userId: USER,
    timeMs: T,
    eventId: `e-${overrides.kind}-${overrides.timeMs ?? T}`,
    messageId: null,
    previousOwnerRole: null,
    newOwnerRole: null,
    metadata: null,
    previousOwnerAppId: null,
    targetRole: null,
    ...overrides,
  }) as unknown as WhatsappFact;

const threadOf = (facts: WhatsappFact[], now = T) => projectWhatsappThread(fold(facts, applyFact), now);

describe('routing: what the WhatsApp threads queue takes and receives', () => {
  it('takes handovers, messages holding messages and standby copies of messages or echoes; passthrough keeps all', () => {
    const queues = (file: string) =>
      splitDelivery(sample(`whatsapp-routing/${file}`).body as Record<string, unknown>, {
        deliveryId: 'd',
        receivedAt: RECEIVED,
      }).map((envelope) => router.queuesFor(envelope));
    expect(queues('control-taken-reference')).toEqual([[QUEUE, 'passthrough']]);
    expect(queues('messages-text-inbound')).toEqual([[QUEUE, 'passthrough']]);
    expect(queues('standby-text-message-echo')).toEqual([[QUEUE, 'passthrough']]);
    // A receipt says nothing about ownership: statuses stay where they always went.
    expect(queues('messages-statuses-only')).toEqual([['passthrough']]);
    expect(queues('standby-status-receipt')).toEqual([['passthrough']]);
    expect(queues('messages-bsuid-status-no-wa-id')).toEqual([['passthrough']]);
  });

  it('never carries message content, profiles or pricing into the domain queue', () => {
    const files = ['messages-text-inbound', 'messages-several-in-one-delivery', 'standby-text-message-echo'];
    for (const file of files) {
      const [envelope] = routed(sample(`whatsapp-routing/${file}`).body);
      const text = JSON.stringify(envelope);
      for (const secret of [
        'Does it come in another color',
        'Sheena',
        'has shipped',
        'preview_url',
        'profile',
      ])
        expect(text, `${file}: ${secret}`).not.toContain(secret);
      expect(text).toContain(PHONE_NUMBER);
    }
  });
});

describe('decoding the public samples', () => {
  it('control_passed: ours, with roles, metadata, and the summary kept apart', () => {
    const [passed] = factsOf('control-passed-reference');
    expect(passed).toMatchObject({
      kind: 'control_passed',
      phoneNumberId: PHONE_NUMBER,
      userId: USER,
      timeMs: 1_750_101_000_000,
      previousOwnerRole: 'ai_agent',
      newOwnerRole: 'escalation',
      metadata: 'WhatsApp user requested human agent',
      previousOwnerAppId: '1066355071287456',
      conversationContext: 'AI-generated summary string',
    });
    const item = fold(factsOf('control-passed-reference'), applyFact);
    expect(JSON.stringify(projectWhatsappThread(item, T))).not.toContain('AI-generated');
    expect(conversationContextOf(item)).toEqual({ summary: 'AI-generated summary string', receivedAt: T });
  });

  it('several messages of one user in one change are one fact, carrying the newest', () => {
    const facts = factsOf('messages-several-in-one-delivery');
    expect(facts).toHaveLength(1);
    expect(facts[0]).toMatchObject({
      kind: 'message',
      userId: USER,
      timeMs: 1_750_101_000_000,
      messageId: 'wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzRUIwQTk4NkNGMUZCMDZERTREMAA=',
    });
  });

  it('a username user (wa_id and from are "") is keyed on the BSUID, never on ""', () => {
    expect(factsOf('messages-bsuid-empty-wa-id-2025')).toMatchObject([{ userId: 'user.93737...' }]);
    expect(factsOf('messages-bsuid-with-phone-and-parent')).toMatchObject([
      { userId: USER, bsuid: 'US.13491208655302741918' },
    ]);
  });

  it('an echo sent to a phone number written for people is keyed on its digits', () => {
    const body = structuredClone(sample('whatsapp-routing/standby-text-message-echo').body) as {
      entry: { changes: { value: { standby: { message_echoes: { message: { to: string } }[] } } }[] }[];
    };
    const echo = body.entry[0]?.changes[0]?.value.standby.message_echoes[0];
    if (echo !== undefined) echo.message.to = '+1 650-555-1234';
    expect(routed(body).flatMap(decodeWhatsappChange)).toMatchObject([
      { kind: 'standby_echo', userId: USER },
    ]);
  });

  it('an old test payload without type or roles still reads as control_passed', () => {
    const [envelope] = splitDelivery(
      {
        object: 'whatsapp_business_account',
        entry: [
          {
            id: '1',
            changes: [
              {
                field: 'messaging_handovers',
                value: {
                  messaging_product: 'whatsapp',
                  recipient: { phone_number_id: PHONE_NUMBER },
                  sender: { phone_number: USER },
                  timestamp: '1697041663',
                  control_passed: { metadata: 'Information about the conversation' },
                },
              },
            ],
          },
        ],
      },
      { deliveryId: 'd', receivedAt: RECEIVED },
    );
    expect(decodeWhatsappChange(envelope as ChangeEnvelope)).toMatchObject([
      { kind: 'control_passed', previousOwnerRole: null, newOwnerRole: null },
    ]);
  });
});

describe('the read model', () => {
  it('is idle 24 h after the last customer message; expiresAt says when', () => {
    const facts = [fact({ kind: 'message', timeMs: T })];
    expect(threadOf(facts, T + IDLE_AFTER_MS - 1)).toMatchObject({
      owner: 'us',
      ownerSince: T,
      lastCustomerMessageAt: T,
      expiresAt: T + IDLE_AFTER_MS,
    });
    expect(threadOf(facts, T + IDLE_AFTER_MS)).toMatchObject({
      owner: null,
      ownerSince: T + IDLE_AFTER_MS,
      expiresAt: null,
    });
  });

  it('a handover a day after the last message we saw restarts the clock (the thread was active again)', () => {
    const later = T + 2 * IDLE_AFTER_MS;
    const facts = [fact({ kind: 'message', timeMs: T }), fact({ kind: 'control_passed', timeMs: later })];
    expect(threadOf(facts, later + 1)).toMatchObject({ owner: 'us', expiresAt: later + IDLE_AFTER_MS });
  });

  it('ownerSince is the oldest fact of the run that names the owner', () => {
    const facts = [
      fact({ kind: 'standby_message', timeMs: T }),
      fact({ kind: 'control_passed', timeMs: T + 1_000, newOwnerRole: 'escalation' }),
      fact({ kind: 'message', timeMs: T + 5_000 }),
    ];
    expect(threadOf(facts, T + 6_000)).toMatchObject({ owner: 'us', ownerSince: T + 1_000 });
  });

  it('in one second a handover outranks the messages, a take a pass, our message a standby copy', () => {
    const taken = fact({
      kind: 'control_taken',
      newOwnerRole: 'escalation',
      previousOwnerRole: 'customer_service',
    });
    expect(threadOf([fact({ kind: 'message' }), taken])?.owner).toBe('escalation');
    expect(threadOf([taken, fact({ kind: 'message' })])?.owner).toBe('escalation');
    expect(threadOf([fact({ kind: 'standby_message' }), fact({ kind: 'control_passed' })])?.owner).toBe('us');
    expect(threadOf([fact({ kind: 'control_passed' }), taken])?.owner).toBe('escalation');
    expect(threadOf([fact({ kind: 'message' }), fact({ kind: 'standby_message' })])?.owner).toBe('us');
  });

  it('our calls: pass names the target role, release and an unknown outcome read owner null', () => {
    const base = [fact({ kind: 'message', timeMs: T })];
    expect(
      threadOf([...base, fact({ kind: 'pass', timeMs: T + 10, targetRole: 'ai_agent' })], T + 20),
    ).toMatchObject({
      owner: 'ai_agent',
      lastHandover: { type: 'pass', previousOwnerRole: null, newOwnerRole: 'ai_agent' },
    });
    expect(threadOf([...base, fact({ kind: 'release', timeMs: T + 10 })], T + 20)).toMatchObject({
      owner: null,
      expiresAt: null,
    });
    const unknown = fact({ kind: 'unknown', timeMs: T + 10, action: 'take', reason: 'timeout' } as never);
    expect(threadOf([...base, unknown], T + 20)?.owner).toBeNull();
    // The next webhook settles it: a message on `messages` means the take went through.
    expect(threadOf([...base, unknown, fact({ kind: 'message', timeMs: T + 2_000 })], T + 3_000)?.owner).toBe(
      'us',
    );
  });
});

describe('domain events', () => {
  it('one when the recorded owner changes, none for more messages to the same owner, never the summary', () => {
    const first = fold([fact({ kind: 'message', timeMs: T })], applyFact);
    const second = applyFact(first, fact({ kind: 'message', timeMs: T + 1_000 })).item;
    const passed = applyFact(
      second,
      fact({ kind: 'control_taken', timeMs: T + 2_000, newOwnerRole: 'escalation' }),
    ).item;
    expect(whatsappThreadEvents(undefined, first).map((event) => event.detail.owner)).toEqual(['us']);
    expect(whatsappThreadEvents(first, second)).toEqual([]);
    expect(whatsappThreadEvents(second, passed)).toMatchObject([
      { detail: { owner: 'escalation', previousOwner: 'us', cause: 'control_taken' } },
    ]);
    const withSummary = fold(factsOf('control-passed-reference'), applyFact);
    expect(JSON.stringify(whatsappThreadEvents(undefined, withSummary))).not.toContain('AI-generated');
  });
});
