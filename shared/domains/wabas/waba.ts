import type { Dropped } from '../../kernel/bounds.js';
import {
  applyRegisterWrite,
  factVersion,
  type Item,
  REGISTER_PREFIX,
  type Register,
  type RegisterNames,
  type RegisterWrite,
  readingVersion,
  versionOf,
  type WriteOutcome,
  writeRegister,
} from '../../kernel/registers.js';

import { boundedChange, boundedObservation } from './bounded-change.js';
import { appSlot, factSlot } from './bounds.js';
import type { Disconnection, DiscoveredBy, ReconciledFields, WabaChangeEvent, WabaEvent } from './event.js';

export type {
  Disconnection,
  DiscoveredBy,
  ReconciledFields,
  WabaChangeEvent,
  WabaEvent,
  WabaInfo,
  WabaObservation,
  WabaTokenRecord,
} from './event.js';

/** Events that end our access to a WABA (our own app's uninstall too); a newer add or reconnect restores it. */
export const DEACTIVATING_EVENTS = [
  'PARTNER_REMOVED',
  'PARTNER_APP_UNINSTALLED',
  'ACCOUNT_DELETED',
  'ACCOUNT_OFFBOARDED',
] as const;
export const REACTIVATING_EVENT = 'ACCOUNT_RECONNECTED';
/** Lifecycle events about the WABA itself, whichever app receives them. */
const LIFE_EVENTS = new Set(['PARTNER_REMOVED', 'ACCOUNT_DELETED', 'ACCOUNT_OFFBOARDED', REACTIVATING_EVENT]);
/** Install state of one app on the WABA (`waba_info.partner_app_id`). */
const APP_EVENTS = new Set(['PARTNER_APP_INSTALLED', 'PARTNER_APP_UNINSTALLED']);

export interface EventRegister extends Register {
  event: string;
  timeMs: number;
  receivedBy: string | null;
  ownerBusinessId: string | null;
}
/** The onboarding: PARTNER_ADDED, or our app's PARTNER_APP_INSTALLED through a solution (then `appId` is ours). */
export interface AddRegister extends EventRegister {
  solutionId: string | null;
  partnerBusinessIds: string[];
  /** Our app, when the onboarding is its install (its install state is read from here). */
  appId?: string;
}
export interface LifeRegister extends EventRegister {
  active: boolean;
  disconnection?: Disconnection;
}
/** One app's install state; `ours` marks our own app, whose uninstall ends our access. */
export interface AppRegister extends EventRegister {
  /** The app, when its register is a shared slot (other apps: `r_app_o<n>`); else the register's suffix. */
  appId?: string;
  installed: boolean;
  ours: boolean;
  solutionId: string | null;
  partnerBusinessIds?: string[];
}
/** The latest event of one kind (ban, restriction, violation, tier, ...) with what Meta said. */
export interface FactRegister extends EventRegister {
  details: Record<string, unknown>;
  /** What did not fit of Meta's details (`bounds.ts`): counted, never silently lost. */
  dropped?: Dropped;
}
export interface ReconRegister extends Register, ReconciledFields {
  timeMs: number;
}
export interface TokenRegister extends Register {
  secretName: string;
  businessId: string;
  timeMs: number;
}

/** A WABA's registers: the onboarding, its lifecycle, reconciliation's reading, the token; and two families. */
export interface WabaRegisters {
  add: AddRegister;
  life: LifeRegister;
  recon: ReconRegister;
  token: TokenRegister;
}
export const WABA_REGISTERS: RegisterNames<WabaRegisters> = {
  add: 'r_add',
  life: 'r_life',
  recon: 'r_recon',
  token: 'r_token',
};
/**
 * App registers (`r_app_<our app ID or self>`, other apps in `r_app_o<slot>`) and fact registers (`r_f_<EVENT>`
 * for a documented name, `r_f_x<slot>` for any other): bounded in number, see bounds.ts.
 */
export const APP_REGISTER_PREFIX = `${REGISTER_PREFIX}app_`;
export const FACT_REGISTER_PREFIX = `${REGISTER_PREFIX}f_`;

/** Same-second tie-break: facts < install < add < reconnect < uninstall < removal (removal wins a tie). */
const RANK = { fact: 0, install: 1, add: 2, reconnect: 3, uninstall: 4, removal: 5 } as const;

export const wabaKey = (wabaId: string): Item => ({ wabaId });

const discovered = { ifAbsent: { discoveredBy: 'webhook' satisfies DiscoveredBy } };

const changeWrite = (unbounded: WabaChangeEvent): RegisterWrite => {
  const { event, dropped } = boundedChange(unbounded);
  const info = event.wabaInfo;
  const base = {
    event: event.event,
    timeMs: event.timeMs,
    receivedBy: event.receivedBy,
    ownerBusinessId: info?.ownerBusinessId ?? null,
  };
  // Meta times account_update in whole seconds (`entry.time`): each fact sits at its second's end (factVersion).
  const v = (rank: number) => factVersion(event.timeMs, rank, event.eventId, 'second');
  // Our app's install through a solution is an onboarding as PARTNER_ADDED is (its sibling, same register): the
  // WABA is onboarded then and listed under its solution. A same-second PARTNER_ADDED wins (its rank is higher).
  const ourSolutionInstall =
    event.event === 'PARTNER_APP_INSTALLED' &&
    info?.solutionId !== null &&
    info?.solutionId !== undefined &&
    (event.ours ?? (info.partnerAppId ?? null) === null);
  if ((event.event === 'PARTNER_ADDED' || ourSolutionInstall) && info !== null) {
    const value: AddRegister = {
      v: v(ourSolutionInstall ? RANK.install : RANK.add),
      ...base,
      solutionId: info.solutionId,
      partnerBusinessIds: info.partnerBusinessIds,
      ...(ourSolutionInstall ? { appId: info.partnerAppId ?? 'self' } : {}),
    };
    const owned: Record<string, string> = info.solutionId === null ? {} : { solutionId: info.solutionId };
    return writeRegister(WABA_REGISTERS, 'add', value, { owned, ...discovered });
  }
  if (LIFE_EVENTS.has(event.event)) {
    const reactivating = event.event === REACTIVATING_EVENT;
    const value: LifeRegister = {
      v: v(reactivating ? RANK.reconnect : RANK.removal),
      ...base,
      active: reactivating,
      ...(event.disconnection === null || event.disconnection === undefined
        ? {}
        : { disconnection: event.disconnection }),
    };
    return writeRegister(WABA_REGISTERS, 'life', value, discovered);
  }
  if (APP_EVENTS.has(event.event)) {
    const installed = event.event === 'PARTNER_APP_INSTALLED';
    const value: AppRegister = {
      v: v(installed ? RANK.install : RANK.uninstall),
      ...base,
      installed,
      ours: event.ours ?? (info?.partnerAppId ?? null) === null,
      solutionId: info?.solutionId ?? null,
      ...(info === null || info.partnerBusinessIds.length === 0
        ? {}
        : { partnerBusinessIds: info.partnerBusinessIds }),
    };
    const appId = info?.partnerAppId ?? null;
    // Other apps share a bounded number of registers: each keeps its app's ID.
    return {
      register: `${APP_REGISTER_PREFIX}${appSlot(appId, value.ours)}`,
      value: appId === null ? value : { ...value, appId },
      ...discovered,
    };
  }
  // Not `discoveredBy`: a fact alone does not tell us the WABA was onboarded through us.
  const value: FactRegister = {
    v: v(RANK.fact),
    ...base,
    details: event.details,
    ...(dropped === null
      ? {}
      : { dropped: { fields: dropped.fields, bytes: dropped.bytes, names: dropped.names } }),
  };
  return { register: `${FACT_REGISTER_PREFIX}${factSlot(event.event)}`, value };
};

export const wabaWrite = (event: WabaEvent): RegisterWrite => {
  switch (event.type) {
    case 'change':
      return changeWrite(event);
    case 'observation': {
      const bounded = boundedObservation(event);
      const { type: _type, wabaId: _wabaId, eventId, ...fields } = bounded;
      return writeRegister(
        WABA_REGISTERS,
        'recon',
        // A reading, ranked by when its page was asked for (below every fact of that second).
        { v: readingVersion(event.timeMs, eventId), ...fields },
        {
          // Each register owns its own index attribute, so the index keys converge like the registers do.
          owned: event.solutionIds[0] === undefined ? {} : { observedSolutionId: event.solutionIds[0] },
          ifAbsent: { discoveredBy: 'reconciliation' satisfies DiscoveredBy },
        },
      );
    }
    case 'token':
      return writeRegister(WABA_REGISTERS, 'token', {
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
