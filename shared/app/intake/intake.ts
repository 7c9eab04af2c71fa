import { sha256Hex } from '../../kernel/event-id.js';
import type { QueueRouter } from '../../platform/domain/routing.js';
import { type ChangeEnvelope, PASSTHROUGH } from '../../platform/queue/envelope.js';
import type { EnvelopePublisher, PublishSummary } from '../../platform/queue/publisher.js';
import { splitDelivery } from './split.js';

/** One delivery as received: its raw bytes (parsed already) and when the webhook accepted it. */
export interface ReceivedDelivery {
  delivery: Record<string, unknown>;
  body: Buffer;
  receivedAt: number;
  /** Meta's `X-Hub-Signature-256`, as verified (the webhook only): the relay forwards it with the bytes. */
  signature?: string;
}

/**
 * Copies of a delivery for other systems (the relay's destination queues), queued beside the domain queues: the
 * answer waits for the slower of the two, never their sum. Answers how many copies each queue took.
 */
export interface DeliveryCopies {
  send(received: ReceivedDelivery, envelopes: readonly ChangeEnvelope[]): Promise<Record<string, number>>;
}

/**
 * The way into the pipeline, for the webhook and for a replay alike: a delivery split into one envelope per
 * change, each routed to its domain's queue (or passthrough). The delivery ID is the hash of the bytes, so a
 * replayed delivery gives every change the event ID it had the first time.
 */
export class DeliveryIntake {
  public constructor(
    private readonly router: QueueRouter,
    private readonly publisher: EnvelopePublisher,
    /** The webhook's relay copies; a replay through the pipeline makes none (a relay replay is its own route). */
    private readonly copies?: DeliveryCopies,
  ) {}

  public split(received: ReceivedDelivery): ChangeEnvelope[] {
    return splitDelivery(received.delivery, {
      deliveryId: deliveryIdOf(received.body),
      receivedAt: received.receivedAt,
      messagingKinds: this.router.messagingKinds,
    });
  }

  public accept(
    received: ReceivedDelivery,
  ): Promise<{ envelopes: ChangeEnvelope[]; summary: PublishSummary; copies: Record<string, number> }> {
    return this.deliver(received, this.split(received));
  }

  /** Queues a delivery's changes (split already) on their queues, and its relay copies beside them. */
  public async deliver(
    received: ReceivedDelivery,
    envelopes: ChangeEnvelope[],
  ): Promise<{ envelopes: ChangeEnvelope[]; summary: PublishSummary; copies: Record<string, number> }> {
    const [summary, copies] = await Promise.all([
      this.publisher.publish(envelopes),
      this.copies?.send(received, envelopes) ?? {},
    ]);
    return { envelopes, summary, copies };
  }

  /** No domain takes any of the changes: the delivery is archived under the passthrough retention. */
  public passthroughOnly(envelopes: readonly ChangeEnvelope[]): boolean {
    return envelopes.every((envelope) =>
      this.router.queuesFor(envelope).every((queue) => queue === PASSTHROUGH),
    );
  }
}

export const deliveryIdOf = (body: Buffer): string => sha256Hex(body).slice(0, 32);
