import type { Item } from '../../kernel/registers.js';
import { type DomainEvent, domainEvent } from '../../platform/events/domain-event.js';
import { ONBOARDING_EVENTS } from './manifest.js';
import { readOnboarding, STEPS } from './model.js';

/**
 * `WABA Onboarding Step Changed`: one event per step outcome, when a step's state or Meta's code changes (a
 * message reworded while a step waits is not an outcome). A new onboarding that sets done steps back to pending
 * reports each of them once.
 */
export const onboardingEvents = (before: Item | undefined, after: Item | undefined): DomainEvent[] => {
  const old = readOnboarding(before);
  const now = readOnboarding(after);
  if (now === undefined || typeof after?.wabaId !== 'string') return [];
  const wabaId = after.wabaId;
  return STEPS.flatMap((step) => {
    const previous = old?.steps[step];
    const next = now.steps[step];
    if (previous !== undefined && previous.state === next.state && previous.code === next.code) return [];
    const detail = {
      wabaId,
      step,
      state: next.state,
      code: next.code,
      message: next.message,
      at: Math.floor(next.at / 1000),
    };
    return [domainEvent(ONBOARDING_EVENTS.stepChanged, detail, after)];
  });
};
