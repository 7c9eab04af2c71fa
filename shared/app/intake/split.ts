import { DOMAINS } from '../../domains/registry.js';
import { TooManyChangesError } from '../../kernel/errors.js';
import { eventIdOf } from '../../kernel/event-id.js';
import { isRecord } from '../../kernel/json.js';

const REGISTERED_KINDS: ReadonlySet<string> = new Set(
  DOMAINS.flatMap((domain) => domain.messagingKinds ?? []),
);

import type { ChangeEnvelope } from '../../platform/queue/envelope.js';

interface DeliveryContext {
  deliveryId: string;
  receivedAt: number;
  /** Keys of a messaging event that name a domain's change: preferred when naming the event's kind (the registry's by default). */
  messagingKinds?: ReadonlySet<string>;
}

const stringOrNull = (value: unknown): string | null =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null;

const numberOrNull = (value: unknown): number | null => {
  const number = typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number) ? number : null;
};

const textOf = (...candidates: unknown[]): string | undefined =>
  candidates.find((candidate): candidate is string => typeof candidate === 'string' && candidate !== '');

/**
 * A change's field. Meta's own reference samples sometimes put `field` (and `object`) beside `changes` or
 * inside `value` instead of on the change: each is read where it stands, so such a change still reaches its
 * domain instead of the passthrough queue.
 */
const fieldOf = (change: unknown, entry: Record<string, unknown>): string =>
  isRecord(change)
    ? (textOf(change.field, isRecord(change.value) ? change.value.field : undefined, entry.field) ??
      'unknown')
    : 'unknown';

const objectOf = (delivery: Record<string, unknown>, entry: Record<string, unknown>): string => {
  const values = Array.isArray(entry.changes)
    ? entry.changes.map((change) =>
        isRecord(change) && isRecord(change.value) ? change.value.object : undefined,
      )
    : [];
  return textOf(delivery.object, entry.object, ...values) ?? 'unknown';
};

/** Keys of a messaging event that are not its kind (Lead Ads add `hop_context` beside the message). */
const MESSAGING_ENVELOPE_KEYS = new Set(['sender', 'recipient', 'timestamp', 'hop_context']);
/** An entry's own keys; anything else it holds travels as `entryExtras`. */
const ENTRY_KEYS = new Set(['id', 'time', 'changes', 'messaging', 'standby']);

const extrasOf = (entry: Record<string, unknown>): Record<string, unknown> | undefined => {
  const extras = Object.entries(entry).filter(([key]) => !ENTRY_KEYS.has(key));
  return extras.length === 0 ? undefined : Object.fromEntries(extras);
};

/** Names a messaging event by its payload key: a handover notification, `message`, `read`, ... */
export const messagingKind = (event: unknown, preferred: ReadonlySet<string>): string => {
  if (!isRecord(event)) return 'messaging';
  const keys = Object.keys(event).filter((key) => !MESSAGING_ENVELOPE_KEYS.has(key));
  return keys.find((key) => preferred.has(key)) ?? keys.sort()[0] ?? 'messaging';
};

const envelope = (
  context: DeliveryContext,
  object: string,
  entryId: string | null,
  entryTime: number | null,
  source: ChangeEnvelope['source'],
  kind: string,
  change: unknown,
): ChangeEnvelope => ({
  v: 1,
  eventId: eventIdOf({ object, entryId, entryTime, source, kind, change }),
  deliveryId: context.deliveryId,
  object,
  entryId,
  entryTime,
  source,
  kind,
  change,
  receivedAt: context.receivedAt,
});

/**
 * The most changes one delivery may carry. Meta documents batches of up to 1,000; a signed body of
 * 100,000 empty changes must not become 100,000 queue messages (10,000 SendMessageBatch calls in one
 * invocation), so anything past this bound is refused before a single envelope is built.
 */
export const MAX_CHANGES_PER_DELIVERY = 5_000;

/**
 * How much work a delivery is, counted without building envelopes: its changes, and at least one for
 * every entry, so that entries holding nothing (or nothing we recognise) cannot slip past the bound.
 */
export const countChanges = (delivery: Record<string, unknown>): number => {
  if (!Array.isArray(delivery.entry)) return 1;
  let count = 0;
  for (const entry of delivery.entry) {
    const lists = isRecord(entry)
      ? [entry.changes, entry.messaging, entry.standby].filter(Array.isArray)
      : [];
    count += Math.max(
      1,
      lists.reduce((sum, list) => sum + list.length, 0),
    );
  }
  return count;
};

/**
 * Splits one webhook delivery into one envelope per change: `entry[].changes[]` (WhatsApp) and
 * `entry[].messaging[]` / `entry[].standby[]` (Messenger, Instagram). A signed delivery or entry of an
 * unexpected shape is still Meta's data, so it becomes one passthrough envelope instead of vanishing.
 */
export const splitDelivery = (
  delivery: Record<string, unknown>,
  context: DeliveryContext,
): ChangeEnvelope[] => {
  const changes = countChanges(delivery);
  if (changes > MAX_CHANGES_PER_DELIVERY) throw new TooManyChangesError(changes, MAX_CHANGES_PER_DELIVERY);
  const object = typeof delivery.object === 'string' ? delivery.object : 'unknown';
  if (!Array.isArray(delivery.entry)) {
    return [envelope(context, object, null, null, 'delivery', 'delivery', delivery)];
  }
  const envelopes: ChangeEnvelope[] = [];
  for (const entry of delivery.entry) {
    if (!isRecord(entry)) {
      envelopes.push(envelope(context, object, null, null, 'entry', 'entry', entry));
      continue;
    }
    const entryId = stringOrNull(entry.id);
    const entryTime = numberOrNull(entry.time);
    const entryObject = objectOf(delivery, entry);
    const extras = extrasOf(entry);
    const withExtras = (built: ChangeEnvelope): ChangeEnvelope =>
      extras === undefined ? built : { ...built, entryExtras: extras };
    let recognised = false;
    if (Array.isArray(entry.changes)) {
      recognised = true;
      for (const change of entry.changes) {
        envelopes.push(
          withExtras(
            envelope(context, entryObject, entryId, entryTime, 'changes', fieldOf(change, entry), change),
          ),
        );
      }
    }
    for (const source of ['messaging', 'standby'] as const) {
      const events = entry[source];
      if (!Array.isArray(events)) continue;
      recognised = true;
      for (const event of events) {
        envelopes.push(
          withExtras(
            envelope(
              context,
              entryObject,
              entryId,
              entryTime,
              source,
              messagingKind(event, context.messagingKinds ?? REGISTERED_KINDS),
              event,
            ),
          ),
        );
      }
    }
    if (!recognised)
      envelopes.push(envelope(context, entryObject, entryId, entryTime, 'entry', 'entry', entry));
  }
  return envelopes;
};
