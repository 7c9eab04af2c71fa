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

/** A queue the webhook sends to: a domain's (by its name), or `passthrough` for everything no domain takes. */
export type QueueName = string;
export const PASSTHROUGH = 'passthrough';

/** What routing reads of a change. */
export type RoutableChange = Pick<ChangeEnvelope, 'object' | 'kind' | 'change'>;

/**
 * A change on WhatsApp. `account_update` and `partner_solutions` exist only there, so a delivery that omits
 * `object` (as Meta's 2025 reference sample does) is read as WhatsApp too.
 */
export const isWhatsApp = (change: Pick<RoutableChange, 'object'>): boolean =>
  change.object === 'whatsapp_business_account' || change.object === 'unknown';
