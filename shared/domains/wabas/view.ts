import { type Item, newest, readFamily, readRegisters, toEpochSeconds } from '../../kernel/registers.js';
import { type OnboardingView, projectOnboarding } from '../onboarding/view.js';
import {
  type AddRegister,
  APP_REGISTER_PREFIX,
  type AppRegister,
  type Disconnection,
  type DiscoveredBy,
  type EventRegister,
  FACT_REGISTER_PREFIX,
  type FactRegister,
  type LifeRegister,
  type ReconciledFields,
  type ReconRegister,
  WABA_REGISTERS,
  type WabaRegisters,
} from './waba.js';

/** One app's install state on a WABA, as the read model serves it. */
export interface AppInstall {
  installed: boolean;
  /** Our own app (`META_APP_ID`): its uninstall is what makes the WABA inactive for us. */
  ours: boolean;
  event: string;
  at: number;
}

/** The latest event of one kind: when it came and everything Meta said beside its name. */
export type Fact = { at: number } & Record<string, unknown>;

export interface Waba {
  wabaId: string;
  ownerBusinessId: string | null;
  solutionId: string | null;
  partnerBusinessIds: string[];
  onboardedAt: number | null;
  active: boolean;
  inactiveReason: string | null;
  /** `disconnection_info` of the PARTNER_REMOVED that made it inactive (reason, initiated by, when). */
  disconnection: (Disconnection & { at: number }) | null;
  /** Install state per app (`partner_app_id`), ours marked. */
  apps: Record<string, AppInstall>;
  /** The latest event of each other kind, by event name (DISABLED_UPDATE, ACCOUNT_RESTRICTION, ...). */
  facts: Record<string, Fact>;
  /** What the kept facts left out of Meta's details (bounds.ts: each fact's details are bounded); null if none. */
  factsDropped: { fields: number; bytes: number } | null;
  /**
   * From the latest DISABLED_UPDATE: `ban_info` as sent (the date kept as Meta wrote it), and whether it is a
   * scheduled disable (SCHEDULE_FOR_DISABLE: not banned yet). Banned only by DISABLE.
   */
  ban: { state: unknown; date: unknown; scheduled: boolean; at: number } | null;
  banned: boolean;
  /** From the latest ACCOUNT_RESTRICTION (`restriction_info`); restricted while one has not expired. */
  restrictions: Restriction[];
  restricted: boolean;
  /** From the latest ACCOUNT_VIOLATION (`violation_info`). */
  violation: { type: string | null; at: number } | null;
  lastEvent: string | null;
  lastEventAt: number | null;
  discoveredBy: DiscoveredBy | null;
  name: string | null;
  timezoneId: string | null;
  businessType: string | null;
  messageTemplateNamespace: string | null;
  lastReconciledAt: number | null;
  businessTokenSecret: string | null;
  /** The onboarding steps after PARTNER_ADDED or our app's install (null when none started). */
  onboarding: OnboardingView | null;
}

export interface Restriction {
  type: string | null;
  /** Epoch seconds, as Meta sent it; null when Meta gave none. */
  expiration: number | null;
}

const restrictionsOf = (info: unknown): Restriction[] =>
  (Array.isArray(info) ? info : []).map((entry) => {
    const restriction = objectOr(entry);
    const expiration = Number(restriction.expiration);
    return {
      type: typeof restriction.restriction_type === 'string' ? restriction.restriction_type : null,
      expiration: restriction.expiration === undefined || !Number.isFinite(expiration) ? null : expiration,
    };
  });

const factView = (fact: FactRegister): Fact => ({ at: toEpochSeconds(fact.timeMs), ...fact.details });

/** Install state by app: a shared slot's register names its app (`appId`), any other its register suffix. */
const appsOf = (apps: ReadonlyMap<string, AppRegister>): Record<string, AppInstall> =>
  Object.fromEntries(
    [...apps].map(([suffix, app]) => [
      app.appId ?? suffix,
      { installed: app.installed, ours: app.ours, event: app.event, at: toEpochSeconds(app.timeMs) },
    ]),
  );

const droppedOf = (facts: readonly FactRegister[]): Waba['factsDropped'] => {
  const counted = facts.filter((fact) => fact.dropped !== undefined);
  if (counted.length === 0) return null;
  return {
    fields: counted.reduce((sum, fact) => sum + (fact.dropped?.fields ?? 0), 0),
    bytes: counted.reduce((sum, fact) => sum + (fact.dropped?.bytes ?? 0), 0),
  };
};

/** `waba_ban_state` values (Meta documents one, or a list): only DISABLE bans; SCHEDULE_FOR_DISABLE announces it. */
const hasBanState = (state: unknown, wanted: string): boolean =>
  Array.isArray(state) ? state.some((entry) => String(entry) === wanted) : String(state) === wanted;

const objectOr = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};

/**
 * A WABA is known once any event or reconciliation told us about it: Meta sends `account_update` only for
 * WABAs our app is subscribed to, so a ban or restriction alone is served too (`discoveredBy` stays null).
 */
export const isKnownWaba = (item: Item | undefined): boolean => {
  const { add, life, recon } = readRegisters<WabaRegisters>(item, WABA_REGISTERS);
  return (
    add !== undefined ||
    life !== undefined ||
    recon !== undefined ||
    readFamily(item, APP_REGISTER_PREFIX).size > 0 ||
    readFamily(item, FACT_REGISTER_PREFIX).size > 0
  );
};

/** Each app's install state; our app's install through a solution is kept in the onboarding's register. */
const appInstalls = (
  apps: Map<string, AppRegister>,
  add: AddRegister | undefined,
): Record<string, AppInstall> => {
  const installs = appsOf(apps);
  const own =
    add?.appId === undefined
      ? undefined
      : [...apps].find(([suffix, app]) => (app.appId ?? suffix) === add.appId)?.[1];
  if (add?.appId !== undefined && (own === undefined || own.v < add.v))
    installs[add.appId] = { installed: true, ours: true, event: add.event, at: toEpochSeconds(add.timeMs) };
  return installs;
};

/** Whether the WABA is active for us, why not, and since when it is onboarded (epoch seconds). */
const lifecycleOf = (
  add: AddRegister | undefined,
  life: LifeRegister | undefined,
  recon: ReconRegister | undefined,
  apps: Map<string, AppRegister>,
): Pick<Waba, 'onboardedAt' | 'active' | 'inactiveReason' | 'disconnection'> => {
  const ourApp = newest(...[...apps.values()].filter((app) => app.ours));
  // Active is what the newest of the onboarding, the lifecycle and our own app's install state says, for a WABA
  // onboarded with us: an add, our app's install, a reconnect or reconciliation's listing says so; another app's
  // install or uninstall, or a fact, alone does not.
  const lifecycle = newest<AddRegister | LifeRegister | AppRegister>(add, life, ourApp);
  const onboardedWithUs =
    add !== undefined || recon !== undefined || ourApp !== undefined || life?.active === true;
  const active =
    onboardedWithUs &&
    (lifecycle === undefined || lifecycle === add
      ? true
      : lifecycle === life
        ? (life?.active ?? true)
        : (ourApp?.installed ?? true));
  // Onboarded when the solution added it, else when our app was installed on it.
  const onboardedAtMs = add?.timeMs ?? (ourApp?.installed === true ? ourApp.timeMs : undefined);
  return {
    onboardedAt: onboardedAtMs === undefined ? null : toEpochSeconds(onboardedAtMs),
    active,
    inactiveReason: active ? null : (lifecycle?.event ?? null),
    disconnection:
      !active && lifecycle === life && life?.disconnection !== undefined
        ? { ...life.disconnection, at: toEpochSeconds(life.timeMs) }
        : null,
  };
};

/** The read model at `now` (epoch ms; restrictions expire): a pure fold over the registers. */
export const projectWaba = (item: Item | undefined, now: number = Date.now()): Waba | undefined => {
  if (item === undefined || typeof item.wabaId !== 'string' || !isKnownWaba(item)) return undefined;
  const { add, life, recon, token } = readRegisters<WabaRegisters>(item, WABA_REGISTERS);
  const apps = readFamily<AppRegister>(item, APP_REGISTER_PREFIX);
  const facts = readFamily<FactRegister>(item, FACT_REGISTER_PREFIX);
  const lifecycle = lifecycleOf(add, life, recon, apps);
  const last = newest<EventRegister>(add, life, ...apps.values(), ...facts.values());
  const withOwner = [life, ...apps.values(), ...facts.values()].filter(
    (register) => register?.ownerBusinessId,
  );
  const owner = add?.ownerBusinessId ?? newest<EventRegister>(...withOwner)?.ownerBusinessId ?? null;
  const factOf = (name: string): Fact | null => {
    const fact = facts.get(name);
    return fact === undefined ? null : factView(fact);
  };
  const banInfo = objectOr(facts.get('DISABLED_UPDATE')?.details.ban_info);
  const restrictions = restrictionsOf(facts.get('ACCOUNT_RESTRICTION')?.details.restriction_info);
  const violation = facts.get('ACCOUNT_VIOLATION');
  const violationInfo = objectOr(violation?.details.violation_info);
  // Without PARTNER_ADDED, an install event's waba_info (ours first) names the solution and its partners.
  const installs = [...apps.values()].sort(
    (a, b) => Number(b.ours) - Number(a.ours) || (a.v < b.v ? 1 : a.v > b.v ? -1 : 0),
  );
  const installSolution = installs.find((app) => app.solutionId !== null)?.solutionId;
  const installPartners = installs.find((app) => app.partnerBusinessIds !== undefined)?.partnerBusinessIds;
  return {
    wabaId: item.wabaId,
    ownerBusinessId: owner,
    solutionId: add?.solutionId ?? installSolution ?? recon?.solutionIds[0] ?? null,
    partnerBusinessIds:
      add?.partnerBusinessIds ??
      installPartners ??
      (recon?.partnerBusinessId ? [recon.partnerBusinessId] : []),
    ...lifecycle,
    apps: appInstalls(apps, add),
    // Keyed by the event's own name (other names share bounded registers, each keeping its newest).
    facts: Object.fromEntries([...facts.values()].map((fact) => [fact.event, factView(fact)])),
    factsDropped: droppedOf([...facts.values()]),
    ban: facts.has('DISABLED_UPDATE')
      ? {
          state: banInfo.waba_ban_state ?? null,
          date: banInfo.waba_ban_date ?? null,
          scheduled: hasBanState(banInfo.waba_ban_state, 'SCHEDULE_FOR_DISABLE'),
          at: factOf('DISABLED_UPDATE')?.at ?? 0,
        }
      : null,
    banned: hasBanState(banInfo.waba_ban_state, 'DISABLE'),
    restrictions,
    restricted: restrictions.some(
      (restriction) => restriction.expiration === null || restriction.expiration * 1000 > now,
    ),
    violation:
      violation === undefined
        ? null
        : {
            type: typeof violationInfo.violation_type === 'string' ? violationInfo.violation_type : null,
            at: toEpochSeconds(violation.timeMs),
          },
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
    onboarding: projectOnboarding(item, now),
  };
};

/** The reconciliation fields currently stored, to skip writes when nothing changed. */
export const reconciledFields = (item: Item | undefined): ReconciledFields | undefined => {
  const { recon } = readRegisters<WabaRegisters>(item, WABA_REGISTERS);
  if (recon === undefined) return undefined;
  const { v: _v, timeMs: _timeMs, ...fields } = recon;
  return fields;
};
