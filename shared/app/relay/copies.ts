import { backoffDelay, sleep } from '../../kernel/async.js';
import { DependencyUnavailableError, errorMessage } from '../../kernel/errors.js';
import { SQS_MAX_MESSAGE_BYTES } from '../../platform/config/constants.js';
import type { ChangeEnvelope } from '../../platform/queue/envelope.js';
import type { ClaimWriter, MessageSink } from '../../platform/queue/ports.js';
import { type DeliveryCopies, deliveryIdOf, type ReceivedDelivery } from '../intake/intake.js';
import { RELAY_CLAIM_PREFIX, type RelayDestination, relayQueueName } from './destinations.js';
import { destinationsFor } from './match.js';
import { type RelayBody, type RelayClaim, type RelayMessage, relayBody } from './message.js';

export interface RelayCopiesOptions {
  maxAttempts?: number;
  baseDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => Date;
}

/**
 * The webhook's side of the relay: one message per destination that receives anything of the delivery, on that
 * destination's own queue, sent beside the domain queues (one more send per destination, in parallel). The
 * message carries the delivery's exact bytes and Meta's signature; a body too large for SQS goes once to the
 * claim-check bucket and every destination's message points at it. Nothing is answered 200 before every copy is
 * queued: a copy that cannot be queued is a 503, and Meta delivers again.
 */
export class RelayCopies implements DeliveryCopies {
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => Date;

  public constructor(
    private readonly destinations: readonly RelayDestination[],
    private readonly sink: MessageSink,
    private readonly claims: ClaimWriter,
    options: RelayCopiesOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 4;
    this.baseDelayMs = options.baseDelayMs ?? 50;
    this.sleep = options.sleep ?? sleep;
    this.now = options.now ?? (() => new Date());
  }

  public async send(
    received: ReceivedDelivery,
    envelopes: readonly ChangeEnvelope[],
  ): Promise<Record<string, number>> {
    return this.sendTo(destinationsFor(this.destinations, envelopes), received);
  }

  /** Queues one copy of the delivery for each of these destinations. */
  public async sendTo(
    destinations: readonly RelayDestination[],
    received: Pick<ReceivedDelivery, 'body' | 'receivedAt' | 'signature'>,
    extra: Pick<RelayMessage, 'replay'> = {},
  ): Promise<Record<string, number>> {
    if (destinations.length === 0) return {};
    const deliveryId = deliveryIdOf(received.body);
    const head = {
      v: 1 as const,
      deliveryId,
      receivedAt: received.receivedAt,
      ...(received.signature === undefined ? {} : { signature: received.signature }),
      ...extra,
    };
    const body = relayBody(received.body);
    const longest = destinations.reduce((most, { name }) => Math.max(most, name.length), 0);
    const inline = JSON.stringify({ ...head, relay: 'x'.repeat(longest), ...body });
    const payload: RelayBody | RelayClaim =
      Buffer.byteLength(inline, 'utf8') <= SQS_MAX_MESSAGE_BYTES ? body : await this.claim(deliveryId, body);
    await Promise.all(
      destinations.map((destination) =>
        this.queue(destination, JSON.stringify({ ...head, relay: destination.name, ...payload })),
      ),
    );
    return Object.fromEntries(destinations.map(({ name }) => [relayQueueName(name), 1]));
  }

  /** The body once in the claim-check bucket, named by the delivery's hash (the same bytes, the same key). */
  private async claim(deliveryId: string, body: RelayBody): Promise<RelayClaim> {
    const key = `${RELAY_CLAIM_PREFIX}${this.now().toISOString().slice(0, 10)}/${deliveryId}.json`;
    const text = JSON.stringify(body);
    try {
      await this.claims.put(key, text);
    } catch (error) {
      throw new DependencyUnavailableError('claim-check store', error);
    }
    return { claimCheck: { key, bytes: Buffer.byteLength(text, 'utf8') } };
  }

  private async queue(destination: RelayDestination, body: string): Promise<void> {
    const queue = relayQueueName(destination.name);
    let reason = '';
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      if (attempt > 0) await this.sleep(backoffDelay(attempt, this.baseDelayMs, 2_000));
      try {
        const { failed } = await this.sink.sendBatch(queue, [{ id: 'r0', body }]);
        if (failed.length === 0) return;
        reason = failed.map((entry) => entry.reason).join('; ');
      } catch (error) {
        reason = errorMessage(error);
      }
    }
    throw new DependencyUnavailableError(
      'relay queue',
      `${queue}: not accepted after ${this.maxAttempts} attempts (${reason})`,
    );
  }
}

export interface RelayQueuePorts {
  destinations: readonly RelayDestination[];
  /** The destinations' queues, by `relay:<name>`. */
  sink: MessageSink;
  claims: ClaimWriter;
  options?: RelayCopiesOptions;
}

/** The webhook's relay copies; none when no destination is configured. */
export const composeRelayCopies = (ports: RelayQueuePorts): RelayCopies | undefined =>
  ports.destinations.length === 0
    ? undefined
    : new RelayCopies(ports.destinations, ports.sink, ports.claims, ports.options);
