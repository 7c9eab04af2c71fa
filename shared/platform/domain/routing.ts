import { type ChangeEnvelope, PASSTHROUGH, type QueueName, type RoutableChange } from '../queue/envelope.js';
import type { EnvelopeRouter } from '../queue/ports.js';
import type { DomainManifest } from './domain.js';

/**
 * Which queues a change goes to: the queue of the first domain that takes it, and passthrough for everything no
 * domain takes (Meta allows one callback URL per app and object, so the app's other fields arrive here too and
 * are kept for other systems). A domain may ask that what it takes also stays whole in passthrough.
 */
export class QueueRouter implements EnvelopeRouter {
  public constructor(private readonly domains: readonly DomainManifest[]) {}

  public queuesFor(change: RoutableChange): QueueName[] {
    const domain = this.domains.find((candidate) => candidate.takes(change));
    if (domain === undefined) return [PASSTHROUGH];
    return domain.alsoPassthrough === true ? [domain.name, PASSTHROUGH] : [domain.name];
  }

  /** What a queue receives of a change: its domain's projection of the change when it has one, else all of it. */
  public shape(queue: QueueName, envelope: ChangeEnvelope): ChangeEnvelope {
    const project = this.domains.find((domain) => domain.name === queue)?.project;
    return project === undefined ? envelope : { ...envelope, change: project(envelope) };
  }

  /** Every queue the webhook may send to. */
  public get queues(): QueueName[] {
    return [...this.domains.map((domain) => domain.name), PASSTHROUGH];
  }

  /** Keys of a messaging event that name a domain's change, preferred over any other key when naming it. */
  public get messagingKinds(): ReadonlySet<string> {
    return new Set(this.domains.flatMap((domain) => domain.messagingKinds ?? []));
  }
}
