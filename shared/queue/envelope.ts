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

/**
 * Which queue a change belongs to. Meta allows one callback URL per app and object, so everything else
 * the app subscribes to (messages, statuses, standby, ...) goes to `passthrough` for other systems.
 */
export const queueFor = (envelope: Pick<ChangeEnvelope, 'object' | 'kind'>): QueueName => {
  if (envelope.object === 'whatsapp_business_account') {
    if (envelope.kind === 'partner_solutions') return 'solutions';
    if (envelope.kind === 'account_update') return 'wabas';
  }
  if ((envelope.object === 'page' || envelope.object === 'instagram') && isHandoverKind(envelope.kind)) {
    return 'threads';
  }
  return 'passthrough';
};
