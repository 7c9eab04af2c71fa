import fc from 'fast-check';
import type { WhatsappFact } from '../../shared/domains/whatsapp-threads/facts.js';
import { eventIdOf } from '../../shared/kernel/event-id.js';

/** Around one instant, so that same-second ties and the 24-hour idle rule both come up often. */
export const WHATSAPP_T0 = 1_750_101_000_000;
const DAY = 24 * 60 * 60 * 1000;

/** Webhook facts fall on whole seconds (Meta's timestamps); our own calls on any millisecond. */
const webhookTime = fc.constantFrom(0, 1_000, 2_000, DAY + 1_000).map((offset) => WHATSAPP_T0 + offset);
const actionTime = fc.oneof(
  webhookTime,
  fc.integer({ min: 0, max: 3_000 }).map((ms) => WHATSAPP_T0 + ms),
);
const role = fc.constantFrom('escalation', 'ai_agent', 'customer_service', null);
const metadata = fc.option(fc.constantFrom('VIP', 'Human agent stepping in'), { nil: null });

const withId = (fact: Record<string, unknown>): WhatsappFact =>
  ({ ...fact, eventId: eventIdOf(fact) }) as unknown as WhatsappFact;

/** Any ownership fact about one thread, as the decoder and the actions make them. */
export const whatsappFact = (phoneNumberId: string, userId: string): fc.Arbitrary<WhatsappFact> => {
  const keys = { phoneNumberId, userId };
  const handover = fc
    .record({
      kind: fc.constantFrom('control_passed' as const, 'control_taken' as const),
      timeMs: webhookTime,
      previousOwnerRole: role,
      newOwnerRole: role,
      metadata,
      summary: fc.option(fc.constantFrom('summary A', 'summary B'), { nil: undefined }),
    })
    .map(({ summary, ...fields }) =>
      withId({
        ...keys,
        ...fields,
        previousOwnerAppId: null,
        ...(summary === undefined || fields.kind !== 'control_passed'
          ? {}
          : { conversationContext: summary }),
      }),
    );
  const activity = fc
    .record({
      kind: fc.constantFrom('message' as const, 'standby_message' as const, 'standby_echo' as const),
      timeMs: webhookTime,
      messageId: fc.constantFrom('wamid.1', 'wamid.2', null),
      bsuid: fc.option(fc.constant('US.13491208655302741918'), { nil: undefined }),
    })
    .map(({ bsuid, ...fields }) => withId({ ...keys, ...fields, ...(bsuid === undefined ? {} : { bsuid }) }));
  const action = fc
    .record({
      kind: fc.constantFrom('pass' as const, 'take' as const, 'release' as const),
      timeMs: actionTime,
      targetRole: fc.constantFrom('escalation', 'ai_agent', null),
      metadata,
    })
    .map((fields) => withId({ ...keys, ...fields }));
  const unknown = fc
    .record({
      action: fc.constantFrom('pass' as const, 'take' as const, 'release' as const),
      timeMs: actionTime,
      targetRole: fc.constantFrom('escalation', null),
    })
    .map((fields) => withId({ ...keys, kind: 'unknown', ...fields, reason: 'no answer' }));
  return fc.oneof(
    { weight: 3, arbitrary: handover },
    { weight: 4, arbitrary: activity },
    { weight: 2, arbitrary: action },
    { weight: 1, arbitrary: unknown },
  );
};

/** Any instant from just before the facts to two days after them. */
export const whatsappInstant = fc
  .integer({ min: -1_000, max: 2 * DAY + 5_000 })
  .map((ms) => WHATSAPP_T0 + ms);
