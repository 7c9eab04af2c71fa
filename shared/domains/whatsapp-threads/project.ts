import { isRecord } from '../../kernel/json.js';
import type { RoutableChange } from '../../platform/queue/envelope.js';

/**
 * What the WhatsApp threads queue receives of a change (the manifest's `project`, applied by the webhook when it
 * routes): only what ownership needs. From `messages` and `standby`: the business number, each message's and
 * echo's ID, time and user (phone and BSUID); never a message's content, the contact's profile, statuses or
 * pricing. `messaging_handovers` are ownership facts and travel whole (roles, metadata, and the AI summary, which
 * the domain keeps apart from its read model and never logs). Passthrough still gets every change whole.
 */
type Fields = Record<string, string | number>;

const pick = (value: unknown, keys: readonly string[]): Fields => {
  if (!isRecord(value)) return {};
  const picked: Fields = {};
  for (const key of keys) {
    const field = value[key];
    if (typeof field === 'string' || typeof field === 'number') picked[key] = field;
  }
  return picked;
};

const list = <T>(value: unknown, each: (item: unknown) => T): T[] | undefined =>
  Array.isArray(value) ? value.map(each) : undefined;

const customerMessage = (message: unknown) => pick(message, ['from', 'from_user_id', 'id', 'timestamp']);
const contact = (entry: unknown) => pick(entry, ['wa_id', 'user_id']);
/** An echo is the owner's Send API body: only whom it went to (`to`, or a BSUID `recipient`). */
const echo = (entry: unknown) => ({
  ...pick(entry, ['id', 'timestamp']),
  message: pick(isRecord(entry) ? entry.message : undefined, ['to', 'recipient']),
});

const userActivity = (value: Record<string, unknown>) => ({
  contacts: list(value.contacts, contact),
  messages: list(value.messages, customerMessage),
});

export const ownershipFields = (change: RoutableChange): unknown => {
  const raw = change.change;
  if (change.kind === 'messaging_handovers' || !isRecord(raw) || !isRecord(raw.value)) return raw;
  const { value } = raw;
  const metadata = pick(value.metadata, ['phone_number_id']);
  if (change.kind !== 'standby') return { field: change.kind, value: { metadata, ...userActivity(value) } };
  const standby = isRecord(value.standby) ? value.standby : {};
  return {
    field: change.kind,
    value: {
      metadata,
      standby: { ...userActivity(standby), message_echoes: list(standby.message_echoes, echo) },
    },
  };
};

const nonEmpty = (value: unknown): boolean => Array.isArray(value) && value.length > 0;

/**
 * A change that can say who owns a thread: every handover; a `messages` change holding customer messages (a
 * statuses-only one proves nothing, and is most of that field's traffic); a `standby` copy holding a customer
 * message or the owner's echo (a copied status receipt proves nothing new).
 */
export const carriesOwnership = (change: RoutableChange): boolean => {
  if (change.kind === 'messaging_handovers') return true;
  const raw = change.change;
  const value = isRecord(raw) && isRecord(raw.value) ? raw.value : undefined;
  if (value === undefined) return false;
  if (change.kind === 'messages') return nonEmpty(value.messages);
  if (change.kind !== 'standby' || !isRecord(value.standby)) return false;
  return nonEmpty(value.standby.messages) || nonEmpty(value.standby.message_echoes);
};
