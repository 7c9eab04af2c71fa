import type { DomainChange } from '../../kernel/change.js';
import { InvalidEventError } from '../../kernel/errors.js';
import { eventIdOf } from '../../kernel/event-id.js';
import {
  metadataOrNull,
  optionalId,
  requireEventTime,
  requireId,
  requireRecord,
} from '../../kernel/fields.js';
import { isRecord } from '../../kernel/json.js';
import type { ActivityFact, HandoverFact, WhatsappFact } from './facts.js';
import { isWhatsappUserId } from './user-id.js';

/**
 * A WhatsApp change (as the routing projection left it: `project.ts`) → the ownership facts it holds: one per
 * handover, and one per user and kind of activity in a `messages` or `standby` change (N messages of one user in
 * one change are one fact, carrying the newest). Anything that cannot be keyed (no business number, no user, no
 * time) makes the change invalid: it goes to the DLQ with the reason, and stays whole in passthrough.
 */
const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/** A user ID Meta sent, or undefined when absent or `""` (a hidden phone number); anything else is invalid. */
const userIdOr = (value: unknown, what: string): string | undefined => {
  const id = text(value);
  if (id === undefined) return undefined;
  if (!isWhatsappUserId(id)) throw new InvalidEventError(`${what} is not a WhatsApp user ID`);
  return id;
};

/**
 * An echo's `to` is the owner's Send API body, where Meta also takes a phone number written for people
 * (`+1 650-555-1234`): reduced to its digits, the form `wa_id` has.
 */
const sentTo = (value: unknown): unknown =>
  typeof value === 'string' && /^\+?[0-9][0-9 ()-]*$/.test(value) ? value.replace(/[^0-9]/g, '') : value;

const roleOf = (value: unknown): string | null => text(value) ?? null;

const summaryOf = (body: Record<string, unknown>): string | undefined => {
  const context = body.conversation_context;
  return isRecord(context) && isRecord(context.summary) ? text(context.summary.text) : undefined;
};

const decodeHandover = (envelope: DomainChange, value: Record<string, unknown>): HandoverFact => {
  // An older test payload of this field has no `type`: the object it holds names it.
  const kind = value.type ?? ('control_taken' in value ? 'control_taken' : 'control_passed');
  if (kind !== 'control_passed' && kind !== 'control_taken')
    throw new InvalidEventError(
      `messaging_handovers of type ${String(kind)} is not a handover Switchboard knows`,
    );
  const body = requireRecord(value[kind], kind);
  const sender = isRecord(value.sender) ? value.sender : {};
  const userId =
    userIdOr(sender.phone_number, 'sender.phone_number') ?? userIdOr(sender.user_id, 'sender.user_id');
  if (userId === undefined) throw new InvalidEventError('messaging_handovers names no WhatsApp user');
  const summary = summaryOf(body);
  return {
    kind,
    phoneNumberId: requireId(
      isRecord(value.recipient) ? value.recipient.phone_number_id : undefined,
      'recipient.phone_number_id',
    ),
    userId,
    timeMs: requireEventTime(value.timestamp ?? envelope.entryTime, 'timestamp', envelope),
    eventId: envelope.eventId,
    previousOwnerRole: roleOf(body.previous_owner_role),
    newOwnerRole: roleOf(body.new_owner_role),
    metadata: metadataOrNull(body.metadata),
    previousOwnerAppId: optionalId(body.previous_owner_app_id, `${kind}.previous_owner_app_id`),
    ...(summary === undefined ? {} : { conversationContext: summary }),
  };
};

interface Sighting {
  userId: string;
  bsuid?: string;
  timeMs: number;
  messageId: string | null;
}

/** The one contact of a change, for a message that names its user nowhere else. */
const soleContact = (contacts: unknown): { phone?: string; bsuid?: string } => {
  if (!Array.isArray(contacts) || contacts.length !== 1) return {};
  const [contact] = contacts as unknown[];
  if (!isRecord(contact)) return {};
  return {
    phone: userIdOr(contact.wa_id, 'contacts[0].wa_id'),
    bsuid: userIdOr(contact.user_id, 'contacts[0].user_id'),
  };
};

const sightingOf = (
  change: Pick<DomainChange, 'receivedAt'>,
  entry: unknown,
  at: string,
  names: { phone: unknown; bsuid: unknown },
  fallback: { phone?: string; bsuid?: string },
): Sighting => {
  const record = requireRecord(entry, at);
  const phone = userIdOr(names.phone, `${at} phone number`) ?? fallback.phone;
  const bsuid = userIdOr(names.bsuid, `${at} BSUID`) ?? fallback.bsuid;
  const userId = phone ?? bsuid;
  if (userId === undefined)
    throw new InvalidEventError(`${at} names no WhatsApp user (no phone number, no BSUID)`);
  return {
    userId,
    ...(phone !== undefined && bsuid !== undefined ? { bsuid } : {}),
    timeMs: requireEventTime(record.timestamp, `${at}.timestamp`, change),
    messageId: text(record.id) ?? null,
  };
};

/** One fact per user: the newest sighting (ties: the greatest message ID), its version keyed on that message. */
const perUser = (
  kind: ActivityFact['kind'],
  phoneNumberId: string,
  sightings: readonly Sighting[],
  envelope: DomainChange,
): ActivityFact[] => {
  const newest = new Map<string, Sighting>();
  for (const sighting of sightings) {
    const held = newest.get(sighting.userId);
    const newer =
      held === undefined ||
      sighting.timeMs > held.timeMs ||
      (sighting.timeMs === held.timeMs && (sighting.messageId ?? '') > (held.messageId ?? ''));
    if (newer) newest.set(sighting.userId, { ...held, ...sighting, bsuid: sighting.bsuid ?? held?.bsuid });
  }
  return [...newest.values()].map(({ userId, bsuid, timeMs, messageId }) => ({
    kind,
    phoneNumberId,
    userId,
    ...(bsuid === undefined ? {} : { bsuid }),
    timeMs,
    messageId,
    // The same message in two deliveries is one fact, however Meta batched it.
    eventId: messageId === null ? eventIdOf({ event: envelope.eventId, userId }) : eventIdOf({ messageId }),
  }));
};

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

const decodeActivity = (envelope: DomainChange, value: Record<string, unknown>): ActivityFact[] => {
  const phoneNumberId = requireId(
    isRecord(value.metadata) ? value.metadata.phone_number_id : undefined,
    'metadata.phone_number_id',
  );
  const standby = envelope.kind === 'standby';
  const holder = standby ? requireRecord(value.standby, 'standby') : value;
  const fallback = soleContact(holder.contacts);
  const messages = list(holder.messages).map((message, index) => {
    const names = isRecord(message)
      ? { phone: message.from, bsuid: message.from_user_id }
      : { phone: undefined, bsuid: undefined };
    return sightingOf(envelope, message, `messages[${index}]`, names, fallback);
  });
  const echoes = standby
    ? list(holder.message_echoes).map((echo, index) => {
        const sent = isRecord(echo) && isRecord(echo.message) ? echo.message : {};
        return sightingOf(
          envelope,
          echo,
          `message_echoes[${index}]`,
          { phone: sentTo(sent.to), bsuid: sent.recipient },
          {},
        );
      })
    : [];
  const facts = [
    ...perUser(standby ? 'standby_message' : 'message', phoneNumberId, messages, envelope),
    ...perUser('standby_echo', phoneNumberId, echoes, envelope),
  ];
  if (facts.length === 0) throw new InvalidEventError(`a ${envelope.kind} change without a message or echo`);
  return facts;
};

export const decodeWhatsappChange = (envelope: DomainChange): WhatsappFact[] => {
  const change = requireRecord(envelope.change, 'change');
  const value = requireRecord(change.value, 'value');
  switch (envelope.kind) {
    case 'messaging_handovers':
      return [decodeHandover(envelope, value)];
    case 'messages':
    case 'standby':
      return decodeActivity(envelope, value);
    default:
      throw new InvalidEventError(`not a WhatsApp routing change: ${envelope.kind}`);
  }
};
