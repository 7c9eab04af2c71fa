import type { Node } from 'constructs';
import { onboardingSettingsProblems } from '../../shared/domains/onboarding/config.js';
import { ONBOARDING_ENV } from '../../shared/domains/onboarding/manifest.js';
import {
  DEFAULT_RETENTION,
  parseDays,
  type Retention,
  retentionProblems,
} from '../../shared/kernel/retention.js';
import { ENV } from '../../shared/platform/config/constants.js';

/** Non-secret configuration, from CDK context (`cdk.json` or `-c key=value`). */
export interface SwitchboardSettings {
  metaAppId: string;
  metaBusinessId: string;
  metaPartnerBusinessIds: string;
  graphApiBaseUrl: string;
  reconcileRateMinutes: number;
  businessTokens: boolean;
  alarmEmail: string;
  /** Share of the weekly onboarding limit (200) at which the onboarding alarm fires. */
  onboardingAlarmShare: number;
  /** Optional customer managed KMS key (ARN) for business-token secrets. */
  businessTokenKmsKeyArn: string;
  /** ReconcileSweepAge alarms when no sweep completed for this many hours. */
  sweepMaxAgeHours: number;
  /** Instagram account → linked Facebook Page, `<instagramAccountId>=<pageId>,...` (else discovered). */
  instagramPages: string;
  /**
   * How long personal data is kept: `archiveRetentionDays` (default 35), `archivePassthrough` (`none` or days,
   * default 7), `idleThreadDays` (`none` or days, default 60); see docs/personal-data.md.
   */
  retention: Retention;
  /** `hashed`: user IDs in domain events are a keyed hash (key: a generated secret of the stack). */
  eventUserIds: 'plain' | 'hashed';
  /** Onboarding (CONTRACT "Onboarding"): the credit line shared with each customer, ID and currency. */
  metaCreditLineId: string;
  metaCreditCurrency: string;
  /** Optional per-WABA override of the app's callback URL (its verify token is the Meta secret's). */
  metaOverrideCallbackUri: string;
  /** Register each customer phone number (PIN: META_REGISTRATION_PIN in the Meta secret). */
  phoneRegistrationEnabled: boolean;
  /** Days between an offboarding and the deletion of the business-token secret (7 to 30). */
  businessTokenGraceDays: number;
  /** OnboardingStuck alarms when a step stays pending or failed this many minutes. */
  onboardingStuckAfterMinutes: number;
}

const CONTEXT_PREFIX = 'switchboard:';

export const DEFAULT_SETTINGS: SwitchboardSettings = {
  metaAppId: '',
  metaBusinessId: '',
  metaPartnerBusinessIds: '',
  graphApiBaseUrl: 'https://graph.facebook.com/v26.0',
  reconcileRateMinutes: 15,
  businessTokens: false,
  alarmEmail: '',
  onboardingAlarmShare: 0.8,
  businessTokenKmsKeyArn: '',
  instagramPages: '',
  sweepMaxAgeHours: 24,
  retention: DEFAULT_RETENTION,
  eventUserIds: 'plain',
  metaCreditLineId: '',
  metaCreditCurrency: '',
  metaOverrideCallbackUri: '',
  phoneRegistrationEnabled: false,
  businessTokenGraceDays: 30,
  onboardingStuckAfterMinutes: 60,
};

const asBoolean = (value: unknown): boolean => value === true || value === 'true';

const META_ID = /^\d{1,32}$/;

/**
 * Meta IDs the functions need at cold start: refused at synth, with the flag that fixes it, rather than
 * deployed empty and crashing reconciliation and actions later.
 */
const requireMetaIds = (settings: SwitchboardSettings): void => {
  const problems: string[] = [];
  for (const name of ['metaAppId', 'metaBusinessId'] as const) {
    if (!META_ID.test(settings[name])) {
      problems.push(
        `${CONTEXT_PREFIX}${name} must be a Meta ID (decimal digits), got "${settings[name]}": pass -c ${CONTEXT_PREFIX}${name}=<ID> or set it in cdk.json`,
      );
    }
  }
  const partners = settings.metaPartnerBusinessIds
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  for (const partner of partners.filter((id) => !META_ID.test(id))) {
    problems.push(
      `${CONTEXT_PREFIX}metaPartnerBusinessIds must be comma-separated Meta IDs, got "${partner}"`,
    );
  }
  for (const pair of settings.instagramPages.split(',').map((part) => part.trim())) {
    const ids = pair.split('=').map((part) => part.trim());
    if (pair !== '' && (ids.length !== 2 || !ids.every((id) => META_ID.test(id)))) {
      problems.push(
        `${CONTEXT_PREFIX}instagramPages must be <instagramAccountId>=<pageId> pairs, comma-separated, got "${pair}"`,
      );
    }
  }
  if (problems.length > 0) throw new Error(`Switchboard settings:\n  ${problems.join('\n  ')}`);
};

/** The retention settings (`none` or days each; the archive's must be days), checked together. */
const readRetention = (value: (name: string) => unknown): Retention => {
  const days = (name: string, fallback: number | null): number | null => {
    const raw = value(name);
    if (raw === undefined || raw === null) return fallback;
    try {
      return parseDays(String(raw));
    } catch (error) {
      throw new Error(`${CONTEXT_PREFIX}${name} ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  const archiveDays = days('archiveRetentionDays', DEFAULT_RETENTION.archiveDays);
  if (archiveDays === null) throw new Error(`${CONTEXT_PREFIX}archiveRetentionDays must be days >= 1`);
  const retention: Retention = {
    archiveDays,
    passthroughDays: days('archivePassthrough', DEFAULT_RETENTION.passthroughDays),
    idleDays: days('idleThreadDays', DEFAULT_RETENTION.idleDays),
  };
  const problems = retentionProblems(retention);
  if (problems.length > 0) throw new Error(`Switchboard retention settings:\n  ${problems.join('\n  ')}`);
  return retention;
};

const readEventUserIds = (raw: unknown): SwitchboardSettings['eventUserIds'] => {
  if (raw === undefined || raw === null || raw === 'plain') return 'plain';
  if (raw === 'hashed') return 'hashed';
  throw new Error(`${CONTEXT_PREFIX}eventUserIds must be plain or hashed, got "${String(raw)}"`);
};

export const readSettings = (node: Node): SwitchboardSettings => {
  const value = (name: keyof SwitchboardSettings): unknown => node.tryGetContext(`${CONTEXT_PREFIX}${name}`);
  const text = (name: keyof SwitchboardSettings, fallback: string): string => {
    const raw = value(name);
    return raw === undefined || raw === null ? fallback : String(raw);
  };
  const rate = Number(value('reconcileRateMinutes') ?? DEFAULT_SETTINGS.reconcileRateMinutes);
  if (!Number.isInteger(rate) || rate < 1)
    throw new Error(`${CONTEXT_PREFIX}reconcileRateMinutes must be a whole number of minutes >= 1`);
  const sweepAge = Number(value('sweepMaxAgeHours') ?? DEFAULT_SETTINGS.sweepMaxAgeHours);
  if (!(sweepAge >= 1 && sweepAge <= 24 * 30))
    throw new Error(`${CONTEXT_PREFIX}sweepMaxAgeHours must be a number of hours from 1 to 720`);
  const share = Number(value('onboardingAlarmShare') ?? DEFAULT_SETTINGS.onboardingAlarmShare);
  if (!(share > 0 && share <= 1)) throw new Error(`${CONTEXT_PREFIX}onboardingAlarmShare must be in (0, 1]`);
  const settings: SwitchboardSettings = {
    metaAppId: text('metaAppId', DEFAULT_SETTINGS.metaAppId),
    metaBusinessId: text('metaBusinessId', DEFAULT_SETTINGS.metaBusinessId),
    metaPartnerBusinessIds: text('metaPartnerBusinessIds', DEFAULT_SETTINGS.metaPartnerBusinessIds),
    graphApiBaseUrl: text('graphApiBaseUrl', DEFAULT_SETTINGS.graphApiBaseUrl),
    reconcileRateMinutes: rate,
    businessTokens: asBoolean(value('businessTokens')),
    alarmEmail: text('alarmEmail', DEFAULT_SETTINGS.alarmEmail),
    onboardingAlarmShare: share,
    businessTokenKmsKeyArn: text('businessTokenKmsKeyArn', DEFAULT_SETTINGS.businessTokenKmsKeyArn),
    instagramPages: text('instagramPages', DEFAULT_SETTINGS.instagramPages),
    sweepMaxAgeHours: sweepAge,
    retention: readRetention((name) => node.tryGetContext(`${CONTEXT_PREFIX}${name}`)),
    eventUserIds: readEventUserIds(value('eventUserIds')),
    metaCreditLineId: text('metaCreditLineId', ''),
    metaCreditCurrency: text('metaCreditCurrency', ''),
    metaOverrideCallbackUri: text('metaOverrideCallbackUri', ''),
    phoneRegistrationEnabled: asBoolean(value('phoneRegistrationEnabled')),
    businessTokenGraceDays: Number(
      value('businessTokenGraceDays') ?? DEFAULT_SETTINGS.businessTokenGraceDays,
    ),
    onboardingStuckAfterMinutes: Number(
      value('onboardingStuckAfterMinutes') ?? DEFAULT_SETTINGS.onboardingStuckAfterMinutes,
    ),
  };
  const onboardingProblems = onboardingSettingsProblems(onboardingEnvironment(settings));
  if (onboardingProblems.length > 0)
    throw new Error(
      `Switchboard settings (onboarding, as switchboard:<camelCase> context):\n  ${onboardingProblems.join('\n  ')}`,
    );
  if (
    settings.businessTokenKmsKeyArn !== '' &&
    !/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]+$/.test(settings.businessTokenKmsKeyArn)
  ) {
    throw new Error(
      `${CONTEXT_PREFIX}businessTokenKmsKeyArn must be a KMS key ARN, got "${settings.businessTokenKmsKeyArn}"`,
    );
  }
  requireMetaIds(settings);
  return settings;
};

/** The Meta identity every function that calls Graph reads at cold start. */
export const identityEnvironment = (settings: SwitchboardSettings): Record<string, string> => ({
  [ENV.metaAppId]: settings.metaAppId,
  [ENV.metaBusinessId]: settings.metaBusinessId,
  [ENV.metaPartnerBusinessIds]: settings.metaPartnerBusinessIds,
  [ENV.graphApiBaseUrl]: settings.graphApiBaseUrl,
});

/** The retention every function that enforces or reports it reads (the same three, checked together). */
export const retentionEnvironment = (settings: SwitchboardSettings): Record<string, string> => {
  const days = (value: number | null) => (value === null ? 'none' : String(value));
  return {
    [ENV.archiveRetentionDays]: String(settings.retention.archiveDays),
    [ENV.archivePassthrough]: days(settings.retention.passthroughDays),
    [ENV.idleThreadDays]: days(settings.retention.idleDays),
  };
};

/**
 * Onboarding's settings as the functions read them (CONTRACT's names); unset values are left out, so a function's
 * own default applies.
 */
export const onboardingEnvironment = (settings: SwitchboardSettings): Record<string, string> => {
  const values: Record<string, string> = {
    [ONBOARDING_ENV.creditLineId]: settings.metaCreditLineId,
    [ONBOARDING_ENV.creditCurrency]: settings.metaCreditCurrency,
    [ONBOARDING_ENV.overrideCallbackUri]: settings.metaOverrideCallbackUri,
    [ONBOARDING_ENV.phoneRegistrationEnabled]: String(settings.phoneRegistrationEnabled),
    [ONBOARDING_ENV.businessTokenGraceDays]: String(settings.businessTokenGraceDays),
    [ONBOARDING_ENV.stuckAfterMinutes]: String(settings.onboardingStuckAfterMinutes),
  };
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== ''));
};
