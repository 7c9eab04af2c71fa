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
  ) {}

  public split(received: ReceivedDelivery): ChangeEnvelope[] {
    return splitDelivery(received.delivery, {
      deliveryId: deliveryIdOf(received.body),
      receivedAt: received.receivedAt,
      messagingKinds: this.router.messagingKinds,
    });
  }

  public async accept(
    received: ReceivedDelivery,
  ): Promise<{ envelopes: ChangeEnvelope[]; summary: PublishSummary }> {
    const envelopes = this.split(received);
    return { envelopes, summary: await this.publish(envelopes) };
  }

  public publish(envelopes: ChangeEnvelope[]): Promise<PublishSummary> {
    return this.publisher.publish(envelopes);
  }

  /** No domain takes any of the changes: the delivery is archived under the passthrough retention. */
  public passthroughOnly(envelopes: readonly ChangeEnvelope[]): boolean {
    return envelopes.every((envelope) =>
      this.router.queuesFor(envelope).every((queue) => queue === PASSTHROUGH),
    );
  }
}

export const deliveryIdOf = (body: Buffer): string => sha256Hex(body).slice(0, 32);
