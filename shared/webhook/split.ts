import type { ChangeEnvelope } from '../queue/envelope.js';
import { isHandoverKind } from '../queue/envelope.js';
import { eventIdOf } from './event-id.js';

interface DeliveryContext {
  deliveryId: string;
  receivedAt: number;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const stringOrNull = (value: unknown): string | null =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null;

const numberOrNull = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : null;

const MESSAGING_ENVELOPE_KEYS = new Set(['sender', 'recipient', 'timestamp']);

/** Names a messaging event by its payload key: a handover notification, `message`, `read`, ... */
export const messagingKind = (event: unknown): string => {
  if (!isRecord(event)) return 'messaging';
  const keys = Object.keys(event).filter((key) => !MESSAGING_ENVELOPE_KEYS.has(key));
  return keys.find(isHandoverKind) ?? keys.sort()[0] ?? 'messaging';
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
 * Splits one webhook delivery into one envelope per change: `entry[].changes[]` (WhatsApp) and
 * `entry[].messaging[]` / `entry[].standby[]` (Messenger, Instagram). A signed delivery or entry of an
 * unexpected shape is still Meta's data, so it becomes one passthrough envelope instead of vanishing.
 */
export const splitDelivery = (
  delivery: Record<string, unknown>,
  context: DeliveryContext,
): ChangeEnvelope[] => {
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
    let recognised = false;
    if (Array.isArray(entry.changes)) {
      recognised = true;
      for (const change of entry.changes) {
        const field = isRecord(change) && typeof change.field === 'string' ? change.field : 'unknown';
        envelopes.push(envelope(context, object, entryId, entryTime, 'changes', field, change));
      }
    }
    for (const source of ['messaging', 'standby'] as const) {
      const events = entry[source];
      if (!Array.isArray(events)) continue;
      recognised = true;
      for (const event of events) {
        envelopes.push(envelope(context, object, entryId, entryTime, source, messagingKind(event), event));
      }
    }
    if (!recognised) envelopes.push(envelope(context, object, entryId, entryTime, 'entry', 'entry', entry));
  }
  return envelopes;
};
