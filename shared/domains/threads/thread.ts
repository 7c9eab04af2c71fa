import type { EventSource } from '../../kernel/change.js';
import {
  applyRegisterWrite,
  type FactClock,
  factVersion,
  type Item,
  newest,
  type Register,
  type RegisterNames,
  type RegisterWrite,
  readingVersion,
  readRegisters,
  versionOf,
  type WriteOutcome,
  writeRegister,
} from '../../kernel/registers.js';
import { appName } from './apps.js';

/** Sort key of the page-level item that holds the page's app roles. */
export const PAGE_ITEM_USER_ID = '#page';

interface ThreadEventBase {
  pageId: string;
  userId: string;
  timeMs: number;
  eventId: string;
  source: EventSource;
  metadata: string | null;
  /** `instagram` when the conversation is on an Instagram professional account (`pageId` is then its ID). */
  platform?: Platform;
  /** The Facebook Page that Meta's conversation-control calls for an Instagram thread went to. */
  controlPageId?: string;
  /** `second` when Meta timed the event in whole seconds (a seconds `timestamp`); milliseconds otherwise. */
  clock?: FactClock;
}

export type Platform = 'messenger' | 'instagram';

/** What `ownerAppId` says when Meta says a thread is owned but not by which app. */
export const UNKNOWN_OWNER = 'unknown';

/** Control moved: `pass_thread_control`, `take_thread_control`, or our release (owner becomes null). */
export interface ControlEvent extends ThreadEventBase {
  kind: 'pass' | 'take' | 'release';
  previousOwnerAppId: string | null;
  newOwnerAppId: string | null;
  /**
   * Control moved to an app Meta does not name: `take_thread_control` in its earlier documented shape
   * (no `new_owner_app_id`) tells the app that lost control that another app took it.
   */
  ownerUnknown?: boolean;
  expiresAt: number | null;
}

/** What Meta answered about the owner (`thread_owner`, take's response): owner and expiry, or idle. */
export interface OwnerObservation extends ThreadEventBase {
  kind: 'observed';
  ownerAppId: string | null;
  /** Meta answered an expiration but no app: owned, not by an app Meta will name (never idle). */
  ownerUnknown?: boolean;
  expiresAt: number | null;
}

export interface ExtendEvent extends ThreadEventBase {
  kind: 'extend';
  expiresAt: number;
}

export interface RequestEvent extends ThreadEventBase {
  kind: 'request';
  requestedOwnerAppId: string | null;
}

export interface MetadataEvent extends ThreadEventBase {
  kind: 'metadata';
  callerAppId: string | null;
}

export interface AppRolesEvent {
  kind: 'app_roles';
  pageId: string;
  timeMs: number;
  eventId: string;
  roles: Record<string, string[]>;
}

export type ThreadEvent = ControlEvent | OwnerObservation | ExtendEvent | RequestEvent | MetadataEvent;

export interface Thread {
  pageId: string;
  userId: string;
  ownerAppId: string | null;
  ownerAppName: string | null;
  /** False when Meta said the thread is owned but not by which app (`ownerAppId` is then `unknown`). */
  ownerKnown: boolean;
  previousOwnerAppId: string | null;
  requestedOwnerAppId: string | null;
  metadata: string | null;
  updatedAt: number | null;
  expiresAt: number | null;
  /** True when the owner's time ran out: the thread reads as idle until a newer event. */
  expired: boolean;
  /** Nobody controls the thread (`ownerAppId` null). */
  idle: boolean;
  /** `instagram` for an Instagram conversation (`pageId` is the Instagram account), else `messenger`. */
  platform: Platform;
  /** The Instagram professional account of an Instagram conversation (its `pageId`), else null. */
  instagramAccountId: string | null;
  /**
   * The Page Meta's conversation-control calls go to: `pageId` on Messenger; on Instagram the linked Page once an
   * action has resolved it, else null.
   */
  controlPageId: string | null;
  lastEvent: string | null;
  lastSource: EventSource | null;
}

export interface PageRoles {
  pageId: string;
  appRoles: Record<string, string[]>;
  updatedAt: number;
}

type Stored<T> = Register & Omit<T, 'pageId' | 'userId' | 'eventId'>;

/** Each kind keeps its own register; control is the newest of the four control registers. */
interface ThreadRegisters {
  pass: Stored<ControlEvent>;
  take: Stored<ControlEvent>;
  release: Stored<ControlEvent>;
  observed: Stored<OwnerObservation>;
  extend: Stored<ExtendEvent>;
  request: Stored<RequestEvent>;
  metadata: Stored<MetadataEvent>;
}
const THREAD_REGISTERS: RegisterNames<ThreadRegisters> = {
  pass: 'r_pass',
  take: 'r_take',
  release: 'r_release',
  observed: 'r_observed',
  extend: 'r_extend',
  request: 'r_request',
  metadata: 'r_meta',
};

/** The page-level item (`userId` `#page`) holds the page's app roles. */
interface PageRegisters {
  app_roles: Register & { timeMs: number; roles: Record<string, string[]> };
}
const PAGE_REGISTERS: RegisterNames<PageRegisters> = { app_roles: 'r_roles' };

/**
 * Same-millisecond tie-break: metadata < request < observed < take < extend < pass < release. An
 * extension can only follow taking control, so it outranks take; passing or releasing ends the period.
 */
const RANK = {
  metadata: 0,
  request: 1,
  observed: 2,
  take: 3,
  extend: 4,
  pass: 5,
  release: 6,
  app_roles: 0,
} as const;

export const threadKey = (pageId: string, userId: string): Item => ({ pageId, userId });

/**
 * The event's fields as its register stores them: without the keys, with the version. One clock for facts and
 * readings: a fact at the latest instant its clock allows (`factVersion`), a reading (`observed`, `timeMs` when
 * its `thread_owner` request was sent) just before that instant (`readingVersion`), so a reading taken before a
 * fact never overrides it, whatever the precision of either time.
 */
const stored = <E extends ThreadEvent>(event: E): Stored<E> => {
  const { pageId: _pageId, userId: _userId, eventId: _eventId, ...fields } = event;
  const v =
    event.kind === 'observed'
      ? readingVersion(event.timeMs, event.eventId)
      : factVersion(event.timeMs, RANK[event.kind], event.eventId, event.clock);
  return { v, ...fields };
};

export const threadWrite = (event: ThreadEvent | AppRolesEvent): RegisterWrite => {
  if (event.kind === 'app_roles') {
    const v = versionOf(event.timeMs, RANK.app_roles, event.eventId);
    return writeRegister(PAGE_REGISTERS, 'app_roles', { v, timeMs: event.timeMs, roles: event.roles });
  }
  // A thread item names a person (PSID or IGSID): it expires when idle; the page's item does not.
  return { ...userThreadWrite(event), expiresWhenIdle: true };
};

const userThreadWrite = (event: ThreadEvent): RegisterWrite => {
  switch (event.kind) {
    case 'pass':
    case 'take':
    case 'release':
      return writeRegister(THREAD_REGISTERS, event.kind, stored(event));
    case 'observed':
      return writeRegister(THREAD_REGISTERS, 'observed', stored(event));
    case 'extend':
      return writeRegister(THREAD_REGISTERS, 'extend', stored(event));
    case 'request':
      return writeRegister(THREAD_REGISTERS, 'request', stored(event));
    case 'metadata':
      return writeRegister(THREAD_REGISTERS, 'metadata', stored(event));
  }
};

export const applyThreadEvent = (
  item: Item | undefined,
  event: ThreadEvent | AppRolesEvent,
): { item: Item; outcome: WriteOutcome } =>
  applyRegisterWrite(
    item,
    threadKey(event.pageId, event.kind === 'app_roles' ? PAGE_ITEM_USER_ID : event.userId),
    threadWrite(event),
  );

const ownerOf = (register: Stored<ControlEvent> | Stored<OwnerObservation>): string | null => {
  const named = register.kind === 'observed' ? register.ownerAppId : register.newOwnerAppId;
  return named ?? (register.ownerUnknown === true ? UNKNOWN_OWNER : null);
};

const platformOf = (
  pageId: string,
  registers: readonly (Register & Pick<ThreadEventBase, 'platform' | 'controlPageId'>)[],
): Pick<Thread, 'platform' | 'instagramAccountId' | 'controlPageId'> => {
  if (!registers.some((register) => register.platform === 'instagram')) {
    return { platform: 'messenger', instagramAccountId: null, controlPageId: pageId };
  }
  const linked = newest(...registers.filter((register) => typeof register.controlPageId === 'string'));
  return { platform: 'instagram', instagramAccountId: pageId, controlPageId: linked?.controlPageId ?? null };
};

/** The read model at `now` (epoch ms): a pure fold over the registers. */
export const projectThread = (item: Item | undefined, now: number): Thread | undefined => {
  if (item === undefined || typeof item.pageId !== 'string' || typeof item.userId !== 'string')
    return undefined;
  if (item.userId === PAGE_ITEM_USER_ID) return undefined;
  const registers = readRegisters<ThreadRegisters>(item, THREAD_REGISTERS);
  const { extend, request } = registers;
  const control = newest<Stored<ControlEvent> | Stored<OwnerObservation>>(
    registers.pass,
    registers.take,
    registers.release,
    registers.observed,
  );
  const all = Object.values(registers);
  const withMetadata = newest(...all.filter((register) => typeof register.metadata === 'string'));
  const latest = newest(...all);

  // Without any control fact, a request or metadata still says someone controls the thread (Meta sends them
  // to the app in control): owned by an app we cannot name, never idle.
  const owner = control === undefined ? UNKNOWN_OWNER : ownerOf(control);
  // An extension counts only for the control period it was made in.
  const expiresAt =
    owner === null
      ? null
      : extend !== undefined && control !== undefined && extend.v > control.v
        ? extend.expiresAt
        : (control?.expiresAt ?? null);
  const expired = expiresAt !== null && now >= expiresAt;
  const ownerAppId = expired ? null : owner;
  return {
    pageId: item.pageId,
    userId: item.userId,
    ownerAppId,
    ownerAppName: appName(ownerAppId),
    ownerKnown: ownerAppId !== UNKNOWN_OWNER,
    previousOwnerAppId:
      control !== undefined && control.kind !== 'observed' ? control.previousOwnerAppId : null,
    requestedOwnerAppId:
      request !== undefined && (control === undefined || request.v > control.v)
        ? request.requestedOwnerAppId
        : null,
    metadata: withMetadata?.metadata ?? null,
    updatedAt: control?.timeMs ?? null,
    expiresAt: expired ? null : expiresAt,
    expired,
    idle: ownerAppId === null,
    ...platformOf(item.pageId, all),
    lastEvent: latest?.kind ?? null,
    lastSource: latest?.source ?? null,
  };
};

export const projectPageRoles = (item: Item | undefined): PageRoles | undefined => {
  const roles = readRegisters<PageRegisters>(item, PAGE_REGISTERS).app_roles;
  if (item === undefined || roles === undefined || typeof item.pageId !== 'string') return undefined;
  return { pageId: item.pageId, appRoles: roles.roles, updatedAt: roles.timeMs };
};
