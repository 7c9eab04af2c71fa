import { canonicalJson } from '../../kernel/event-id.js';
import type { Item } from '../../kernel/registers.js';
import { type DomainEvent, domainEvent } from '../../platform/events/domain-event.js';
import { WABA_EVENTS } from './manifest.js';
import { projectWaba, type Waba } from './view.js';

/** Fields of the WABA read model whose change is a `WABA Updated` (not bookkeeping like `lastEventAt`). */
const WABA_FACTS = [
  'ownerBusinessId',
  'solutionId',
  'partnerBusinessIds',
  'disconnection',
  'apps',
  'facts',
  'ban',
  'banned',
  'restrictions',
  'violation',
  'name',
  'timezoneId',
  'businessType',
  'messageTemplateNamespace',
  'businessTokenSecret',
] as const satisfies readonly (keyof Waba)[];

/** What each fact reads as before anything is known: a first sight reports only facts that differ from it. */
const EMPTY: Record<(typeof WABA_FACTS)[number], unknown> = {
  ownerBusinessId: null,
  solutionId: null,
  partnerBusinessIds: [],
  disconnection: null,
  apps: {},
  facts: {},
  ban: null,
  banned: false,
  restrictions: [],
  violation: null,
  name: null,
  timezoneId: null,
  businessType: null,
  messageTemplateNamespace: null,
  businessTokenSecret: null,
};

/** Onboarded: active and known to be ours (a PARTNER_ADDED, an install of an app, or reconciliation). */
const onboarded = (waba: Waba | undefined): boolean =>
  waba === undefined ? false : waba.active && waba.discoveredBy !== null;

export const wabaEvents = (before: Item | undefined, after: Item | undefined): DomainEvent[] => {
  // Restrictions expire with time; the diff is about what the items say, so both sides read at one instant.
  const [old, now] = [projectWaba(before, 0), projectWaba(after, 0)];
  if (now === undefined) return [];
  const events: DomainEvent[] = [];
  if (onboarded(now) && !onboarded(old)) {
    const { wabaId, solutionId, ownerBusinessId, discoveredBy } = now;
    events.push(
      domainEvent(WABA_EVENTS.onboarded, { wabaId, solutionId, ownerBusinessId, discoveredBy }, after),
    );
  }
  if (old?.active === true && !now.active) {
    const detail = { wabaId: now.wabaId, reason: now.inactiveReason, disconnection: now.disconnection };
    events.push(domainEvent(WABA_EVENTS.offboarded, detail, after));
  }
  // On a first sight, a field still at its empty default (`[]`, `{}`, `false`, null) is not news.
  const factBefore = (field: (typeof WABA_FACTS)[number]) => (old === undefined ? EMPTY[field] : old[field]);
  const changed = Object.fromEntries(
    WABA_FACTS.filter(
      (field) => canonicalJson(factBefore(field) ?? null) !== canonicalJson(now[field] ?? null),
    ).map((field) => [field, now[field]]),
  );
  // A first sight already says everything in `WABA Onboarded`; later changes of facts are updates.
  if (Object.keys(changed).length > 0 && (old !== undefined || events.length === 0))
    events.push(domainEvent(WABA_EVENTS.updated, { wabaId: now.wabaId, changed }, after));
  return events;
};
