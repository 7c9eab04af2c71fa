import type { Item } from '../../kernel/registers.js';
import { type DomainEvent, domainEvent } from '../../platform/events/domain-event.js';
import { THREAD_EVENTS } from './manifest.js';
import { PAGE_ITEM_USER_ID, projectThread } from './thread.js';

/** `Thread Owner Changed` when the recorded owner changed (an owner lapsing with time is not a write). */
export const threadEvents = (before: Item | undefined, after: Item | undefined): DomainEvent[] => {
  if (after?.userId === PAGE_ITEM_USER_ID) return [];
  // The owner as recorded (expiry aside): an owner lapsing with time is not a write, hence not an event.
  const [old, now] = [projectThread(before, 0), projectThread(after, 0)];
  if (now === undefined || (old !== undefined && old.ownerAppId === now.ownerAppId)) return [];
  if (old === undefined && now.ownerAppId === null) return [];
  const { pageId, userId, ownerAppId, expiresAt, platform } = now;
  const previousOwnerAppId = old?.ownerAppId ?? now.previousOwnerAppId;
  return [
    domainEvent(
      THREAD_EVENTS.ownerChanged,
      { pageId, userId, ownerAppId, previousOwnerAppId, expiresAt, platform },
      after,
    ),
  ];
};
