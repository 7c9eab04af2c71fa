import { DOMAINS } from '../../domains/registry.js';
import type { DeliveryArchive } from '../../platform/archive/archive.js';
import type { DomainManifest } from '../../platform/domain/domain.js';
import { QueueRouter } from '../../platform/domain/routing.js';
import type { Telemetry } from '../../platform/observability/telemetry.js';
import type { ClaimWriter, MessageSink } from '../../platform/queue/ports.js';
import { EnvelopePublisher, type PublisherOptions } from '../../platform/queue/publisher.js';
import type { MetaSecrets, SecretSource } from '../../platform/secrets/meta-secrets.js';
import { type DeliveryCopies, DeliveryIntake } from '../intake/intake.js';
import { createWebhookHandler } from '../webhook/handle-webhook.js';

export interface IntakePorts {
  sink: MessageSink;
  claims: ClaimWriter;
  /** The domains whose queues changes are routed to (the registry's, unless a test adds one). */
  domains?: readonly DomainManifest[];
  /** Retry timing of the sends (tests shorten it). */
  publisherOptions?: PublisherOptions;
  /** Copies for other systems queued beside (the relay's): the webhook's only, never a replay's. */
  copies?: DeliveryCopies;
}

/** The way into the queues, shared by the webhook and replay. */
export const composeIntake = (ports: IntakePorts): DeliveryIntake => {
  const router = new QueueRouter(ports.domains ?? DOMAINS);
  return new DeliveryIntake(
    router,
    new EnvelopePublisher(router, ports.sink, ports.claims, ports.publisherOptions),
    ports.copies,
  );
};

export interface WebhookPorts extends IntakePorts {
  secrets: SecretSource<MetaSecrets>;
  archive: DeliveryArchive;
  telemetry: Telemetry;
  now?: () => number;
}

/** The webhook function: verification, signed deliveries split and queued, archived beside. */
export const composeWebhook = (ports: WebhookPorts) =>
  createWebhookHandler({
    secrets: ports.secrets,
    intake: composeIntake(ports),
    archive: ports.archive,
    telemetry: ports.telemetry,
    ...(ports.now === undefined ? {} : { now: ports.now }),
  });
