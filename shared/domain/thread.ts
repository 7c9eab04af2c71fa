import { InvalidEventError } from '../errors.js';
import type { ChangeEnvelope } from '../queue/envelope.js';
import { appName } from './apps.js';
import {
  isRecord,
  metadataOrNull,
  optionalId,
  requireId,
  requireRecord,
  requireTime,
  toMilliseconds,
} from './fields.js';
import {
  applyRegisterWrite,
  type Item,
  newest,
  type Register,
  type RegisterWrite,
  registerOf,
  versionOf,
  type WriteOutcome,
} from './registers.js';
import type { EventSource } from './solution.js';

/** Sort key of the page-level item that holds the page's app roles. */
export const PAGE_ITEM_USER_ID = '#page';

interface ThreadEventBase {
  pageId: string;
  userId: string;
  timeMs: number;
  eventId: string;
  source: EventSource;
  metadata: string | null;
}

/** Control moved: `pass_thread_control`, `take_thread_control`, or our release (owner becomes null). */
export interface ControlEvent extends ThreadEventBase {
  kind: 'pass' | 'take' | 'release';
  previousOwnerAppId: string | null;
  newOwnerAppId: string | null;
  expiresAt: number | null;
}

/** What Meta answered about the owner (`thread_owner`, take's response): owner and expiry, or idle. */
export interface OwnerObservation extends ThreadEventBase {
  kind: 'observed';
  ownerAppId: string | null;
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
  previousOwnerAppId: string | null;
  requestedOwnerAppId: string | null;
  metadata: string | null;
  updatedAt: number | null;
  expiresAt: number | null;
  /** True when the owner's time ran out: the thread reads as idle until a newer event. */
  expired: boolean;
  lastEvent: string | null;
  lastSource: EventSource | null;
}

export interface PageRoles {
  pageId: string;
  appRoles: Record<string, string[]>;
  updatedAt: number;
}

/** Each kind keeps its own register; control is the newest of the four control registers. */
const REGISTER = {
  pass: 'r_pass',
  take: 'r_take',
  release: 'r_release',
  observed: 'r_observed',
  extend: 'r_extend',
  request: 'r_request',
  metadata: 'r_meta',
  app_roles: 'r_roles',
} as const;

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

export const threadWrite = (event: ThreadEvent | AppRolesEvent): RegisterWrite => {
  const v = versionOf(event.timeMs, RANK[event.kind], event.eventId);
  if (event.kind === 'app_roles')
    return { register: REGISTER.app_roles, value: { v, timeMs: event.timeMs, roles: event.roles } };
  const { pageId: _pageId, userId: _userId, eventId: _eventId, ...fields } = event;
  return { register: REGISTER[event.kind], value: { v, ...fields } };
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

type Stored<T> = Register & Omit<T, 'pageId' | 'userId' | 'eventId'>;

const ownerOf = (register: Stored<ControlEvent> | Stored<OwnerObservation>): string | null =>
  register.kind === 'observed' ? register.ownerAppId : register.newOwnerAppId;

/** The read model at `now` (epoch ms): a pure fold over the registers. */
export const projectThread = (item: Item | undefined, now: number): Thread | undefined => {
  if (item === undefined || typeof item.pageId !== 'string' || typeof item.userId !== 'string')
    return undefined;
  if (item.userId === PAGE_ITEM_USER_ID) return undefined;
  const control = newest<Stored<ControlEvent> | Stored<OwnerObservation>>(
    registerOf(item, REGISTER.pass) as Stored<ControlEvent> | undefined,
    registerOf(item, REGISTER.take) as Stored<ControlEvent> | undefined,
    registerOf(item, REGISTER.release) as Stored<ControlEvent> | undefined,
    registerOf(item, REGISTER.observed) as Stored<OwnerObservation> | undefined,
  );
  const extend = registerOf(item, REGISTER.extend) as Stored<ExtendEvent> | undefined;
  const request = registerOf(item, REGISTER.request) as Stored<RequestEvent> | undefined;
  const all = Object.values(REGISTER)
    .map(
      (name) => registerOf(item, name) as (Register & { metadata?: string | null; kind: string }) | undefined,
    )
    .filter((register) => register !== undefined);
  const withMetadata = newest(...all.filter((register) => typeof register.metadata === 'string'));
  const latest = newest(...all);

  const owner = control === undefined ? null : ownerOf(control);
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
    lastEvent: latest?.kind ?? null,
    lastSource: (latest?.source as EventSource | undefined) ?? null,
  };
};

export const projectPageRoles = (item: Item | undefined): PageRoles | undefined => {
  const roles = registerOf(item, REGISTER.app_roles) as (Register & AppRolesEvent) | undefined;
  if (item === undefined || roles === undefined || typeof item.pageId !== 'string') return undefined;
  return { pageId: item.pageId, appRoles: roles.roles, updatedAt: roles.timeMs };
};

const WEBHOOK_KINDS = {
  pass_thread_control: 'pass',
  take_thread_control: 'take',
  request_thread_control: 'request',
  pass_metadata: 'metadata',
  app_roles: 'app_roles',
} as const;

/** Handover notification (`messaging[]` or `standby[]` event) → thread or page event. */
export const decodeHandover = (envelope: ChangeEnvelope): ThreadEvent | AppRolesEvent => {
  const kind = WEBHOOK_KINDS[envelope.kind as keyof typeof WEBHOOK_KINDS];
  if (kind === undefined) throw new InvalidEventError(`not a handover notification: ${envelope.kind}`);
  const event = requireRecord(envelope.change, 'messaging event');
  const pageId = requireId(isRecord(event.recipient) ? event.recipient.id : undefined, 'recipient.id');
  const timeMs = toMilliseconds(requireTime(event.timestamp, 'timestamp'));
  const base = { pageId, timeMs, eventId: envelope.eventId };
  const body = requireRecord(event[envelope.kind], envelope.kind);
  if (kind === 'app_roles') {
    const roles: Record<string, string[]> = {};
    for (const [appId, names] of Object.entries(body)) {
      roles[requireId(appId, 'app_roles key')] = Array.isArray(names) ? names.map(String) : [String(names)];
    }
    return { kind, ...base, roles };
  }
  const userId = requireId(isRecord(event.sender) ? event.sender.id : undefined, 'sender.id');
  const common = { ...base, userId, source: 'webhook' as const, metadata: metadataOrNull(body.metadata) };
  switch (kind) {
    case 'pass':
    case 'take':
      return {
        kind,
        ...common,
        previousOwnerAppId: optionalId(body.previous_owner_app_id, `${envelope.kind}.previous_owner_app_id`),
        newOwnerAppId: optionalId(body.new_owner_app_id, `${envelope.kind}.new_owner_app_id`),
        expiresAt: null,
      };
    case 'request':
      return {
        kind,
        ...common,
        requestedOwnerAppId: optionalId(body.requested_owner_app_id, 'requested_owner_app_id'),
      };
    case 'metadata':
      return { kind, ...common, callerAppId: optionalId(body.caller_app_id, 'pass_metadata.caller_app_id') };
  }
};
