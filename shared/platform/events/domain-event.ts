import { eventIdOf } from '../../kernel/event-id.js';
import { type Item, REGISTER_PREFIX } from '../../kernel/registers.js';

/**
 * What Switchboard tells the systems built on it: one event per effective change of a read model, derived by
 * diffing an item's read model before and after a write (the tables' change streams in AWS, the local stream in
 * local mode). A duplicate, a stale event or a rewrite of the same value changes no read model, so it emits
 * nothing. Each domain derives its own (`events.ts` in its folder); this is their common shape.
 */
export interface DomainEvent {
  /** Stable: the same change derived twice (a stream record delivered again) has the same ID. */
  id: string;
  detailType: string;
  detail: Record<string, unknown>;
}

/** Derives the domain events of one item change (`before`/`after` as the table held them; undefined when absent). */
export type DeriveEvents = (before: Item | undefined, after: Item | undefined) => DomainEvent[];

/** The newest register version of an item: which state it is, so two changes to equal values differ. */
const stateVersion = (item: Item | undefined): string =>
  Object.entries(item ?? {})
    .filter(
      ([name, value]) => name.startsWith(REGISTER_PREFIX) && typeof value === 'object' && value !== null,
    )
    .map(([, value]) => String((value as { v?: unknown }).v ?? ''))
    .sort()
    .at(-1) ?? '';

/** One domain event of the item `after`, with the ID that derivation gives it every time. */
export const domainEvent = (
  detailType: string,
  detail: Record<string, unknown>,
  after: Item | undefined,
): DomainEvent => ({
  id: eventIdOf({ detailType, detail, state: stateVersion(after) }),
  detailType,
  detail,
});
