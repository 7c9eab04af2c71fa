import { createHmac } from 'node:crypto';
import type { DomainEvent } from '../../platform/events/domain-event.js';
import type { EventPublisher } from '../../platform/events/ports.js';
import type { EventUserIds } from './settings.js';

/** The `detail` field in which every domain names a person (a PSID, IGSID or WhatsApp user). */
export const EVENT_USER_ID_FIELD = 'userId';

/**
 * A user ID as subscribers see it with `eventUserIds=hashed`: HMAC-SHA256 with the deployment's key, in hex.
 * Keyed, so the same person gets the same value in every event (subscribers can still follow a thread) while
 * nobody without the key can test a guessed PSID against it (a plain hash of a 16-digit ID can be brute-forced).
 */
export const hashUserId = (key: string, userId: string): string =>
  createHmac('sha256', key).update(userId, 'utf8').digest('hex');

const hashed = (event: DomainEvent, key: string): DomainEvent => {
  const userId = event.detail[EVENT_USER_ID_FIELD];
  if (typeof userId !== 'string') return event;
  return { ...event, detail: { ...event.detail, [EVENT_USER_ID_FIELD]: hashUserId(key, userId) } };
};

/**
 * The publisher of the events function (and local mode's stream) under the deployment's `eventUserIds` setting:
 * as is when `plain`; with every `detail.userId` hashed when `hashed`. The event `id` is derived before, from the
 * change itself, so it does not depend on the setting.
 */
export const userIdPolicy = (
  inner: EventPublisher,
  mode: EventUserIds,
  key: () => Promise<string>,
): EventPublisher => {
  if (mode === 'plain') return inner;
  return {
    publish: async (events, time) => {
      const secret = await key();
      if (secret === '') throw new Error('the event user ID key is empty');
      await inner.publish(
        events.map((event) => hashed(event, secret)),
        time,
      );
    },
  };
};
