/**
 * What a decoder needs of one change Meta sent: the domain's own view of it. The queue's envelope
 * satisfies it, so the domain never depends on how changes travel.
 */
export interface DomainChange {
  /** Hash of the change's canonical content: the same change delivered twice has the same ID. */
  eventId: string;
  /** `entry[].id` as Meta sent it. */
  entryId: string | null;
  /** `entry[].time` as Meta sent it (seconds for WhatsApp, milliseconds for Messenger). */
  entryTime: number | null;
  /** `whatsapp_business_account`, `page`, `instagram`, ... as Meta sent it (absent in older envelopes). */
  object?: string;
  /** `changes[].field`, or the handover notification name. */
  kind: string;
  change: unknown;
  /** Epoch milliseconds when the webhook accepted the delivery: what an event time is checked against. */
  receivedAt: number;
}

/** Who told Switchboard a fact: Meta's webhook, a reconciliation reading, or an action's answer. */
export type EventSource = 'webhook' | 'reconciliation' | 'action';
