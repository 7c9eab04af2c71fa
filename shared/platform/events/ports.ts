import type { DomainEvent } from './domain-event.js';

/** Where domain events go: the stack's EventBridge bus in AWS, the in-process bus in local mode. */
export interface EventPublisher {
  /** Publishes every event or throws (then the stream record is retried: no event is lost). */
  publish(events: readonly DomainEvent[], time: Date): Promise<void>;
}
