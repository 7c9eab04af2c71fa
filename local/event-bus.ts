import { EVENT_SOURCE } from '../shared/platform/config/constants.js';
import type { DomainEvent } from '../shared/platform/events/domain-event.js';
import type { EventPublisher } from '../shared/platform/events/ports.js';
import { LineFile, readJsonLines } from './durable-file.js';

/** An event as EventBridge would deliver it to a rule's target (the fields subscribers read). */
export interface LocalEvent {
  id: string;
  source: string;
  'detail-type': string;
  time: string;
  detail: Record<string, unknown>;
}

const readEvents = (path: string): LocalEvent[] =>
  readJsonLines(path)
    .filter((event) => typeof event.id === 'string')
    .map((event) => event as unknown as LocalEvent);

/**
 * Local mode's event bus: every domain event in publish order, readable at `GET /local/events`. With a data
 * folder it is a journal (`events.jsonl`, each event on disk before `publish` returns), so a restart keeps the
 * events and their positions.
 */
export class LocalEventBus implements EventPublisher {
  public readonly items: LocalEvent[];
  private readonly ids: Set<string>;
  private readonly file: LineFile | undefined;

  public constructor(path?: string) {
    this.items = path === undefined ? [] : readEvents(path);
    this.ids = new Set(this.items.map((event) => event.id));
    this.file = path === undefined ? undefined : new LineFile(path);
  }

  /** Whether an event with this ID was published (recovery after a crash publishes only what is missing). */
  public has(id: string): boolean {
    return this.ids.has(id);
  }

  public async publish(events: readonly DomainEvent[], time: Date): Promise<void> {
    const fresh = events.map((event) => ({
      id: event.id,
      source: EVENT_SOURCE,
      'detail-type': event.detailType,
      time: time.toISOString(),
      detail: { eventId: event.id, ...event.detail },
    }));
    if (fresh.length === 0) return;
    this.file?.append(fresh.map((event) => `${JSON.stringify(event)}\n`).join(''), true);
    for (const event of fresh) {
      this.items.push(event);
      this.ids.add(event.id);
    }
  }

  public close(): void {
    this.file?.close();
  }
}
