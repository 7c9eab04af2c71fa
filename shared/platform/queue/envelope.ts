import { namesNoWaba } from '../../domains/wabas/partner-events.js';
import { isRecord } from '../../kernel/json.js';

/**
 * The message the webhook queues for each change, and the only contract between ingestion and the
 * consumers. `eventId` is the hash of the change's canonical content, so the same change delivered
 * twice carries the same ID and downstream writes deduplicate on it.
 */
export interface ChangeEnvelope {
  v: 1;
  eventId: string;
  /** Hash of the HTTP body that carried this change: groups the changes of one delivery in logs. */
  deliveryId: string;
  /** `whatsapp_business_account`, `page`, `instagram`, ... as Meta sent it. */
  object: string;
  entryId: string | null;
  /** `entry[].time` as Meta sent it (seconds for WhatsApp, milliseconds for Messenger). */
  entryTime: number | null;
  /** Where in the delivery the change sat. */
  source: 'changes' | 'messaging' | 'standby' | 'entry' | 'delivery';
  /** `changes[].field`, the handover notification name, or the messaging event name. */
  kind: string;
  change: unknown;
  /**
   * What the entry held beside its ID, time and change lists (Lead Ads put `hop_context` there), carried with
   * each of its changes so nothing Meta sent is dropped. Not part of `eventId`.
   */
  entryExtras?: Record<string, unknown>;
  /** Epoch milliseconds when the webhook accepted the delivery. */
  receivedAt: number;
}

/** A change too large for one SQS message travels in the claim-check bucket; the message points at it. */
export interface ClaimCheckPointer {
  v: 1;
  claimCheck: { key: string; bytes: number };
  eventId: string;
  deliveryId: string;
  kind: string;
  /** A domain change too large for SQS: the domain that refused it, and why (kept in passthrough). */
  refusedBy?: QueueName;
  reason?: string;
}

export type QueueMessageBody = ChangeEnvelope | ClaimCheckPointer;

export const QUEUE_NAMES = ['solutions', 'wabas', 'threads', 'passthrough'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export const HANDOVER_KINDS = [
  'pass_thread_control',
  'take_thread_control',
  'request_thread_control',
  'pass_metadata',
  'app_roles',
] as const;
export type HandoverKind = (typeof HANDOVER_KINDS)[number];

export const isHandoverKind = (kind: string): kind is HandoverKind =>
  (HANDOVER_KINDS as readonly string[]).includes(kind);

/** An `account_update` about no WABA (`namesNoWaba`): kept in passthrough for other systems. */
const aboutNoWaba = (change: unknown): boolean =>
  isRecord(change) && isRecord(change.value) && namesNoWaba(change.value);

/**
 * Which queue a change belongs to. Meta allows one callback URL per app and object, so everything else
 * the app subscribes to (messages, statuses, standby, ...) goes to `passthrough` for other systems.
 * `account_update` and `partner_solutions` exist only on WhatsApp, so a delivery that omits `object` (as
 * Meta's 2025 reference sample does) still reaches its domain.
 */
export const queueFor = (envelope: Pick<ChangeEnvelope, 'object' | 'kind' | 'change'>): QueueName => {
  if (envelope.object === 'whatsapp_business_account' || envelope.object === 'unknown') {
    if (envelope.kind === 'partner_solutions') return 'solutions';
    if (envelope.kind === 'account_update') return aboutNoWaba(envelope.change) ? 'passthrough' : 'wabas';
  }
  if ((envelope.object === 'page' || envelope.object === 'instagram') && isHandoverKind(envelope.kind)) {
    return 'threads';
  }
  return 'passthrough';
};
