import { EVENT_SOURCE } from '../shared/constants.js';
import type { DomainEvent } from '../shared/domain/domain-events.js';
import type { EventPublisher } from '../shared/events/ports.js';

/** An event as EventBridge would deliver it to a rule's target (the fields subscribers read). */
export interface LocalEvent {
  id: string;
  source: string;
  'detail-type': string;
  time: string;
  detail: Record<string, unknown>;
}

/** Local mode's event bus: every domain event in publish order, readable at `GET /local/events`. */
export class LocalEventBus implements EventPublisher {
  public readonly items: LocalEvent[] = [];

  public async publish(events: readonly DomainEvent[], time: Date): Promise<void> {
    for (const event of events) {
      this.items.push({
        id: event.id,
        source: EVENT_SOURCE,
        'detail-type': event.detailType,
        time: time.toISOString(),
        detail: { eventId: event.id, ...event.detail },
      });
    }
  }
}
