import {
  applyRegisterWrite,
  type Item,
  newest,
  type Register,
  type RegisterNames,
  type RegisterWrite,
  readRegisters,
  toEpochSeconds,
  versionOf,
  type WriteOutcome,
  writeRegister,
} from './registers.js';

/** Events that end our access to a WABA; `ACCOUNT_RECONNECTED` or a newer add restores it. */
export const DEACTIVATING_EVENTS = [
  'PARTNER_REMOVED',
  'PARTNER_APP_UNINSTALLED',
  'ACCOUNT_DELETED',
  'ACCOUNT_OFFBOARDED',
] as const;
export const REACTIVATING_EVENT = 'ACCOUNT_RECONNECTED';
const ADD_EVENTS = ['PARTNER_ADDED', 'PARTNER_APP_INSTALLED'];

export type DiscoveredBy = 'webhook' | 'reconciliation';

/** An `account_update` webhook change. */
export interface WabaChangeEvent {
  type: 'change';
  wabaId: string;
  event: string;
  timeMs: number;
  eventId: string;
  /** The business portfolio that received the webhook (`entry.id`). */
  receivedBy: string | null;
  wabaInfo: {
    ownerBusinessId: string | null;
    solutionId: string | null;
    partnerBusinessIds: string[];
  } | null;
  /** The change value without `waba_info`, kept for `other` events. */
  details: Record<string, unknown>;
}

/** What reconciliation reads of a WABA: written into its register and compared against it, as is. */
export interface ReconciledFields {
  name: string | null;
  timezoneId: string | null;
  businessType: string | null;
  messageTemplateNamespace: string | null;
  /** The partner filter the WABA was listed under, when one was used. */
  partnerBusinessId: string | null;
  solutionIds: string[];
}

/** One WABA as reconciliation read it from `client_whatsapp_business_accounts`. */
export interface WabaObservation extends ReconciledFields {
  type: 'observation';
  wabaId: string;
  timeMs: number;
  eventId: string;
}

/** Where the customer's business token is kept (issue: business tokens); never the token itself. */
export interface WabaTokenRecord {
  type: 'token';
  wabaId: string;
  timeMs: number;
  eventId: string;
  secretName: string;
  businessId: string;
}

export type WabaEvent = WabaChangeEvent | WabaObservation | WabaTokenRecord;

export interface Waba {
  wabaId: string;
  ownerBusinessId: string | null;
  solutionId: string | null;
  partnerBusinessIds: string[];
  onboardedAt: number | null;
  active: boolean;
  inactiveReason: string | null;
  lastEvent: string | null;
  lastEventAt: number | null;
  discoveredBy: DiscoveredBy | null;
  name: string | null;
  timezoneId: string | null;
  businessType: string | null;
  messageTemplateNamespace: string | null;
  lastReconciledAt: number | null;
  businessTokenSecret: string | null;
}

interface AddRegister extends Register {
  event: string;
  timeMs: number;
  receivedBy: string | null;
  ownerBusinessId: string | null;
  solutionId: string | null;
  partnerBusinessIds: string[];
}
interface LifeRegister extends Register {
  event: string;
  timeMs: number;
  receivedBy: string | null;
  active: boolean;
}
interface OtherRegister extends Register {
  event: string;
  timeMs: number;
  receivedBy: string | null;
  details: Record<string, unknown>;
}
interface ReconRegister extends Register, ReconciledFields {
  timeMs: number;
}
interface TokenRegister extends Register {
  secretName: string;
  businessId: string;
  timeMs: number;
}

/** A WABA's registers: the onboarding, its lifecycle, other events, reconciliation's reading, the token. */
interface WabaRegisters {
  add: AddRegister;
  life: LifeRegister;
  other: OtherRegister;
  recon: ReconRegister;
  token: TokenRegister;
}
const REGISTERS: RegisterNames<WabaRegisters> = {
  add: 'r_add',
  life: 'r_life',
  other: 'r_other',
  recon: 'r_recon',
  token: 'r_token',
};

/** Same-second tie-break: other < add < reconnect < removal (a removal wins a tie with an add). */
const RANK = { other: 0, add: 1, reconnect: 2, removal: 3 } as const;

export const wabaKey = (wabaId: string): Item => ({ wabaId });

const changeWrite = (event: WabaChangeEvent): RegisterWrite => {
  const base = { event: event.event, timeMs: event.timeMs, receivedBy: event.receivedBy };
  const discovered = { ifAbsent: { discoveredBy: 'webhook' satisfies DiscoveredBy } };
  if (ADD_EVENTS.includes(event.event) && event.wabaInfo !== null) {
    const owned: Record<string, string> = {};
    if (event.wabaInfo.solutionId !== null) owned.solutionId = event.wabaInfo.solutionId;
    return writeRegister(
      REGISTERS,
      'add',
      { v: versionOf(event.timeMs, RANK.add, event.eventId), ...base, ...event.wabaInfo },
      { owned, ...discovered },
    );
  }
  if (
    (DEACTIVATING_EVENTS as readonly string[]).includes(event.event) ||
    event.event === REACTIVATING_EVENT
  ) {
    const rank = event.event === REACTIVATING_EVENT ? RANK.reconnect : RANK.removal;
    const value = {
      v: versionOf(event.timeMs, rank, event.eventId),
      ...base,
      active: event.event === REACTIVATING_EVENT,
    };
    return writeRegister(REGISTERS, 'life', value, discovered);
  }
  // Not `discoveredBy`: an unrelated update does not tell us the WABA was onboarded through us.
  const value = { v: versionOf(event.timeMs, RANK.other, event.eventId), ...base, details: event.details };
  return writeRegister(REGISTERS, 'other', value);
};

export const wabaWrite = (event: WabaEvent): RegisterWrite => {
  switch (event.type) {
    case 'change':
      return changeWrite(event);
    case 'observation': {
      const { type: _type, wabaId: _wabaId, eventId, ...fields } = event;
      return writeRegister(
        REGISTERS,
        'recon',
        { v: versionOf(event.timeMs, 0, eventId), ...fields },
        {
          // Each register owns its own index attribute, so the index keys converge like the registers do.
          owned: event.solutionIds[0] === undefined ? {} : { observedSolutionId: event.solutionIds[0] },
          ifAbsent: { discoveredBy: 'reconciliation' satisfies DiscoveredBy },
        },
      );
    }
    case 'token':
      return writeRegister(REGISTERS, 'token', {
        v: versionOf(event.timeMs, 0, event.eventId),
        secretName: event.secretName,
        businessId: event.businessId,
        timeMs: event.timeMs,
      });
  }
};

export const applyWabaEvent = (
  item: Item | undefined,
  event: WabaEvent,
): { item: Item; outcome: WriteOutcome } => applyRegisterWrite(item, wabaKey(event.wabaId), wabaWrite(event));

/**
 * A WABA is known once an add, a lifecycle event or reconciliation told us about it; other events alone
 * (for example on the partner's own WABAs) are recorded but not served.
 */
export const isKnownWaba = (item: Item | undefined): boolean => {
  const { add, life, recon } = readRegisters<WabaRegisters>(item, REGISTERS);
  return add !== undefined || life !== undefined || recon !== undefined;
};

export const projectWaba = (item: Item | undefined): Waba | undefined => {
  if (item === undefined || typeof item.wabaId !== 'string' || !isKnownWaba(item)) return undefined;
  const { add, life, other, recon, token } = readRegisters<WabaRegisters>(item, REGISTERS);
  const lifecycle = newest<Register>(add, life);
  const active = lifecycle === undefined ? true : lifecycle === add ? true : (life?.active ?? true);
  const last = newest<AddRegister | LifeRegister | OtherRegister>(add, life, other);
  return {
    wabaId: item.wabaId,
    ownerBusinessId: add?.ownerBusinessId ?? null,
    solutionId: add?.solutionId ?? recon?.solutionIds[0] ?? null,
    partnerBusinessIds:
      add?.partnerBusinessIds ?? (recon?.partnerBusinessId ? [recon.partnerBusinessId] : []),
    onboardedAt: add === undefined ? null : toEpochSeconds(add.timeMs),
    active,
    inactiveReason: active ? null : (life?.event ?? null),
    lastEvent: last?.event ?? null,
    lastEventAt: last === undefined ? null : toEpochSeconds(last.timeMs),
    discoveredBy:
      item.discoveredBy === 'webhook' || item.discoveredBy === 'reconciliation' ? item.discoveredBy : null,
    name: recon?.name ?? null,
    timezoneId: recon?.timezoneId ?? null,
    businessType: recon?.businessType ?? null,
    messageTemplateNamespace: recon?.messageTemplateNamespace ?? null,
    lastReconciledAt: recon === undefined ? null : toEpochSeconds(recon.timeMs),
    businessTokenSecret: token?.secretName ?? null,
  };
};

/** The reconciliation fields currently stored, to skip writes when nothing changed. */
export const reconciledFields = (item: Item | undefined): ReconciledFields | undefined => {
  const { recon } = readRegisters<WabaRegisters>(item, REGISTERS);
  if (recon === undefined) return undefined;
  return {
    name: recon.name,
    timezoneId: recon.timezoneId,
    businessType: recon.businessType,
    messageTemplateNamespace: recon.messageTemplateNamespace,
    partnerBusinessId: recon.partnerBusinessId,
    solutionIds: recon.solutionIds,
  };
};
