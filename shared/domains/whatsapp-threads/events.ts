import type { Item } from '../../kernel/registers.js';
import { type DomainEvent, domainEvent } from '../../platform/events/domain-event.js';
import { WHATSAPP_THREAD_EVENTS } from './manifest.js';
import { newestFactKind, projectWhatsappThread } from './view.js';

/**
 * `WhatsApp Thread Owner Changed` when the recorded owner changed. The owner is read as recorded (at time 0): a
 * thread going idle by the 24-hour rule is not a write, hence not an event. Never carries the AI summary.
 */
export const whatsappThreadEvents = (before: Item | undefined, after: Item | undefined): DomainEvent[] => {
  const [old, now] = [projectWhatsappThread(before, 0), projectWhatsappThread(after, 0)];
  if (now === undefined || (old !== undefined && old.owner === now.owner)) return [];
  if (old === undefined && now.owner === null) return [];
  const { phoneNumberId, userId, owner, ownerSince, lastCustomerMessageAt, lastHandover } = now;
  return [
    domainEvent(
      WHATSAPP_THREAD_EVENTS.ownerChanged,
      {
        phoneNumberId,
        userId,
        owner,
        previousOwner: old?.owner ?? null,
        ownerSince,
        lastCustomerMessageAt,
        cause: newestFactKind(after),
        lastHandover,
      },
      after,
    ),
  ];
};
