import { isRecord } from '../../kernel/json.js';
import { type ChangeEnvelope, isWhatsApp } from '../../platform/queue/envelope.js';
import type { RelayDestination } from './destinations.js';

/** What matching reads of a change: where it sat, what it is, and its IDs. */
export type RelayedChange = Pick<ChangeEnvelope, 'object' | 'entryId' | 'source' | 'kind' | 'change'>;

/**
 * Messenger and Instagram name a `messaging[]` event by its payload key (`message`, `postback`, ...), while the
 * app subscribes to webhook fields (`messages`, `messaging_postbacks`, ...): the field each key arrives under.
 */
const MESSAGING_FIELDS: Readonly<Record<string, string>> = {
  message: 'messages',
  postback: 'messaging_postbacks',
  read: 'message_reads',
  delivery: 'message_deliveries',
  reaction: 'message_reactions',
  referral: 'messaging_referrals',
  optin: 'messaging_optins',
  account_linking: 'messaging_account_linking',
  policy_enforcement: 'messaging_policy_enforcement',
  game_play: 'messaging_game_plays',
  pass_thread_control: 'messaging_handovers',
  take_thread_control: 'messaging_handovers',
  request_thread_control: 'messaging_handovers',
  app_roles: 'messaging_handovers',
};

/**
 * The webhook field a change arrived under: `changes[].field` as Meta sent it (WhatsApp, Page changes), `standby`
 * for a standby event, the subscription field of a messaging event (an echo is `message_echoes`).
 */
export const relayFieldOf = (change: RelayedChange): string => {
  if (change.source === 'standby') return 'standby';
  if (change.source !== 'messaging') return change.kind;
  if (change.kind === 'message' && isRecord(change.change) && isRecord(change.change.message))
    if (change.change.message.is_echo === true) return 'message_echoes';
  return MESSAGING_FIELDS[change.kind] ?? change.kind;
};

/** `value.metadata.phone_number_id` of a WhatsApp change: the business number it concerns. */
const phoneNumberIdOf = (change: RelayedChange): string | undefined => {
  const value = isRecord(change.change) ? change.change.value : undefined;
  const metadata = isRecord(value) ? value.metadata : undefined;
  const id = isRecord(metadata) ? metadata.phone_number_id : undefined;
  return typeof id === 'string' ? id : typeof id === 'number' ? String(id) : undefined;
};

const ofPages = (change: RelayedChange): boolean => change.object === 'page' || change.object === 'instagram';

/** Whether the destination's ID lists (any of them, when several are given) name this change. */
const idsMatch = (destination: RelayDestination, change: RelayedChange): boolean => {
  const { wabaIds, phoneNumberIds, pageIds } = destination;
  if (wabaIds === undefined && phoneNumberIds === undefined && pageIds === undefined) return true;
  const entryId = change.entryId ?? '';
  if (wabaIds?.includes(entryId) === true && isWhatsApp(change)) return true;
  if (pageIds?.includes(entryId) === true && ofPages(change)) return true;
  const phoneNumberId = phoneNumberIds === undefined ? undefined : phoneNumberIdOf(change);
  return phoneNumberId !== undefined && phoneNumberIds?.includes(phoneNumberId) === true;
};

/** Whether a change is one the destination receives: one of its fields (or `*`), and one of its IDs if it names any. */
export const relayMatches = (destination: RelayDestination, change: RelayedChange): boolean =>
  (destination.fields.includes('*') ||
    destination.fields.includes(relayFieldOf(change)) ||
    destination.fields.includes(change.kind)) &&
  idsMatch(destination, change);

/** The destinations that receive something of a delivery: any of its changes matches. */
export const destinationsFor = (
  destinations: readonly RelayDestination[],
  changes: readonly RelayedChange[],
): RelayDestination[] =>
  destinations.filter((destination) => changes.some((change) => relayMatches(destination, change)));
