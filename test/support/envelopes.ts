import { FIXTURES } from '../../fixtures/deliveries.js';
import { splitDelivery } from '../../shared/app/intake/split.js';
import type { ChangeEnvelope } from '../../shared/platform/queue/envelope.js';

/** Received after every sample's time (an event time may not lie more than a day past its receipt). */
const RECEIVED_AT = Date.UTC(2030, 0, 1);

export const envelopesOf = (body: Record<string, unknown>, receivedAt = RECEIVED_AT): ChangeEnvelope[] =>
  splitDelivery(body, { deliveryId: 'test-delivery', receivedAt });

export const fixtureEnvelope = (name: string): ChangeEnvelope => {
  const fixture = FIXTURES[name];
  if (fixture === undefined) throw new Error(`no fixture ${name}`);
  const [first] = envelopesOf(fixture.body);
  if (first === undefined) throw new Error(`fixture ${name} has no change`);
  return first;
};

/** Applies events in order with a pure apply function, starting from nothing. */
export const fold = <E, I>(
  events: readonly E[],
  apply: (item: I | undefined, event: E) => { item: I },
): I | undefined => {
  let item: I | undefined;
  for (const event of events) item = apply(item, event).item;
  return item;
};

export const withoutKeys = <T extends object>(item: T | undefined, ...keys: string[]) => {
  if (item === undefined) return undefined;
  const copy: Record<string, unknown> = { ...(item as Record<string, unknown>) };
  for (const key of keys) delete copy[key];
  return copy;
};
