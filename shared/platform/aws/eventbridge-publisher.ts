import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { canonicalJson } from '../../kernel/event-id.js';
import { EVENT_SOURCE } from '../config/constants.js';
import type { DomainEvent } from '../events/domain-event.js';
import type { EventPublisher } from '../events/ports.js';

/** PutEvents takes at most 10 entries per call. */
const PUT_EVENTS_BATCH = 10;

/**
 * Domain events to the stack's bus. EventBridge has no event-ID field of its own, so the stable ID travels in
 * the detail (`detail.eventId`) for subscribers to de-duplicate on. A partial failure (`FailedEntryCount`)
 * throws, naming the first error, so the stream record is retried.
 */
export class EventBridgePublisher implements EventPublisher {
  public constructor(
    private readonly busName: string,
    private readonly client: EventBridgeClient = new EventBridgeClient({}),
  ) {}

  public async publish(events: readonly DomainEvent[], time: Date): Promise<void> {
    for (let start = 0; start < events.length; start += PUT_EVENTS_BATCH) {
      const batch = events.slice(start, start + PUT_EVENTS_BATCH);
      const answer = await this.client.send(
        new PutEventsCommand({
          Entries: batch.map((event) => ({
            EventBusName: this.busName,
            Source: EVENT_SOURCE,
            DetailType: event.detailType,
            Time: time,
            Detail: canonicalJson({ eventId: event.id, ...event.detail }),
          })),
        }),
      );
      if ((answer.FailedEntryCount ?? 0) > 0) {
        const failed = answer.Entries?.find((entry) => entry.ErrorCode !== undefined);
        throw new Error(
          `EventBridge refused ${answer.FailedEntryCount} of ${batch.length} events: ${failed?.ErrorCode ?? '?'} ${failed?.ErrorMessage ?? ''}`,
        );
      }
    }
  }
}
