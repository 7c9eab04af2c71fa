import { canonicalJson, eventIdOf } from '../kernel/event-id.js';
import { type Item, REGISTER_PREFIX } from '../kernel/registers.js';
import { DETAIL_TYPES } from '../platform/constants.js';
import { projectSolution, sameSolutionState } from './solutions/solution.js';
import { PAGE_ITEM_USER_ID, projectThread } from './threads/thread.js';
import { projectWaba, type Waba } from './wabas/view.js';

/**
 * What Switchboard tells the systems built on it: one event per effective change of the read model, derived
 * by diffing an item's read model before and after a write (the tables' change streams in AWS, the local
 * stream in local mode). A duplicate, a stale event or a rewrite of the same value changes no read model, so
 * it emits nothing.
 */
export type DetailType = (typeof DETAIL_TYPES)[keyof typeof DETAIL_TYPES];

export interface DomainEvent {
  /** Stable: the same change derived twice (a stream record delivered again) has the same ID. */
  id: string;
  detailType: DetailType;
  detail: Record<string, unknown>;
}

export type StreamTable = 'solutions' | 'wabas' | 'threads';

/** The newest register version of an item: which state it is, so two changes to equal values differ. */
const stateVersion = (item: Item | undefined): string =>
  Object.entries(item ?? {})
    .filter(
      ([name, value]) => name.startsWith(REGISTER_PREFIX) && typeof value === 'object' && value !== null,
    )
    .map(([, value]) => String((value as { v?: unknown }).v ?? ''))
    .sort()
    .at(-1) ?? '';

const event = (
  detailType: DetailType,
  detail: Record<string, unknown>,
  after: Item | undefined,
): DomainEvent => ({
  id: eventIdOf({ detailType, detail, state: stateVersion(after) }),
  detailType,
  detail,
});

const solutionEvents = (before: Item | undefined, after: Item | undefined): DomainEvent[] => {
  const [old, now] = [projectSolution(before), projectSolution(after)];
  if (now === undefined || (old !== undefined && sameSolutionState(old, now))) return [];
  return [
    event(
      DETAIL_TYPES.solutionStatus,
      {
        solutionId: now.solutionId,
        status: now.status,
        previousStatus: old?.status ?? null,
        pendingRequest: now.pendingRequest,
        statusChangedAt: now.statusChangedAt,
      },
      after,
    ),
  ];
};

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

const wabaEvents = (before: Item | undefined, after: Item | undefined): DomainEvent[] => {
  // Restrictions expire with time; the diff is about what the items say, so both sides read at one instant.
  const [old, now] = [projectWaba(before, 0), projectWaba(after, 0)];
  if (now === undefined) return [];
  const events: DomainEvent[] = [];
  if (onboarded(now) && !onboarded(old)) {
    const { wabaId, solutionId, ownerBusinessId, discoveredBy } = now;
    events.push(
      event(DETAIL_TYPES.wabaOnboarded, { wabaId, solutionId, ownerBusinessId, discoveredBy }, after),
    );
  }
  if (old?.active === true && !now.active) {
    const detail = { wabaId: now.wabaId, reason: now.inactiveReason, disconnection: now.disconnection };
    events.push(event(DETAIL_TYPES.wabaOffboarded, detail, after));
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
    events.push(event(DETAIL_TYPES.wabaUpdated, { wabaId: now.wabaId, changed }, after));
  return events;
};

const threadEvents = (before: Item | undefined, after: Item | undefined): DomainEvent[] => {
  if (after?.userId === PAGE_ITEM_USER_ID) return [];
  // The owner as recorded (expiry aside): an owner lapsing with time is not a write, hence not an event.
  const [old, now] = [projectThread(before, 0), projectThread(after, 0)];
  if (now === undefined || (old !== undefined && old.ownerAppId === now.ownerAppId)) return [];
  if (old === undefined && now.ownerAppId === null) return [];
  const { pageId, userId, ownerAppId, expiresAt, platform } = now;
  const previousOwnerAppId = old?.ownerAppId ?? now.previousOwnerAppId;
  return [
    event(
      DETAIL_TYPES.threadOwner,
      { pageId, userId, ownerAppId, previousOwnerAppId, expiresAt, platform },
      after,
    ),
  ];
};

const DERIVE: Record<StreamTable, (before: Item | undefined, after: Item | undefined) => DomainEvent[]> = {
  solutions: solutionEvents,
  wabas: wabaEvents,
  threads: threadEvents,
};

/** The domain events of one item change (`before`/`after` as the table held them; undefined when absent). */
export const domainEventsOf = (
  table: StreamTable,
  before: Item | undefined,
  after: Item | undefined,
): DomainEvent[] => DERIVE[table](before, after);
