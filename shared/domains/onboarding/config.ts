import { ConfigError } from '../../kernel/errors.js';
import { isMetaId } from '../../kernel/ids.js';
import { EnvReader } from '../../platform/config/env.js';
import { RECOVERY_WINDOW_DAYS } from '../../platform/secrets/secret-store.js';
import { ONBOARDING_ENV } from './manifest.js';

/** What this deployment does after an onboarding (CONTRACT "Onboarding"), validated once at cold start. */
export interface OnboardingSettings {
  /** The Solution Partner's credit line shared with each customer (both set, or neither). */
  creditLine: { id: string; currency: string } | undefined;
  /** A per-WABA override of the app's callback URL (`override_callback_uri`); its verify token is the Meta secret's. */
  overrideCallbackUri: string | undefined;
  /** `POST /<PHONE_NUMBER_ID>/register` with the Meta secret's `META_REGISTRATION_PIN`. */
  phoneRegistration: boolean;
  /** Days between an offboarding and the deletion of the business-token secret (7 to 30). */
  graceDays: number;
  /** A step pending or failed longer than this counts as stuck (the OnboardingStuck alarm). */
  stuckAfterMs: number;
}

export const DEFAULT_GRACE_DAYS = 30;
export const DEFAULT_STUCK_AFTER_MINUTES = 60;
/** Meta's limit for `override_callback_uri`. */
const MAX_OVERRIDE_URI_LENGTH = 200;

const metaId = (raw: string): string => {
  if (!isMetaId(raw)) throw new Error(`must be a Meta ID (decimal digits), got "${raw}"`);
  return raw;
};

const currency = (raw: string): string => {
  if (!/^[A-Z]{3}$/.test(raw)) throw new Error(`must be an ISO 4217 code such as USD, got "${raw}"`);
  return raw;
};

const callbackUri = (raw: string): string => {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`must be an https URL, got "${raw}"`);
  }
  if (url.protocol !== 'https:') throw new Error(`must be an https URL, got "${raw}"`);
  if (raw.length > MAX_OVERRIDE_URI_LENGTH)
    throw new Error(`must be at most ${MAX_OVERRIDE_URI_LENGTH} characters (Meta's limit)`);
  return raw;
};

const graceDays = (raw: string): number => {
  const days = Number(raw);
  const { min, max } = RECOVERY_WINDOW_DAYS;
  if (!/^\d+$/.test(raw) || days < min || days > max)
    throw new Error(
      `must be a whole number of days from ${min} to ${max} (Secrets Manager's recovery window)`,
    );
  return days;
};

export const readOnboardingSettings = (reader: EnvReader): OnboardingSettings => {
  const lineRaw = reader.optional(ONBOARDING_ENV.creditLineId);
  const currencyRaw = reader.optional(ONBOARDING_ENV.creditCurrency);
  const both = (other: string | undefined, otherName: string) => (raw: string) => {
    if (other === undefined)
      throw new Error(`is set without ${otherName}: set both to share the credit line`);
    return raw;
  };
  const id = reader.parsed(
    ONBOARDING_ENV.creditLineId,
    (raw) => metaId(both(currencyRaw, ONBOARDING_ENV.creditCurrency)(raw)),
    undefined,
  );
  const code = reader.parsed(
    ONBOARDING_ENV.creditCurrency,
    (raw) => currency(both(lineRaw, ONBOARDING_ENV.creditLineId)(raw)),
    undefined,
  );
  return {
    creditLine: id === undefined || code === undefined ? undefined : { id, currency: code },
    overrideCallbackUri: reader.parsed(ONBOARDING_ENV.overrideCallbackUri, callbackUri, undefined),
    phoneRegistration: reader.boolean(ONBOARDING_ENV.phoneRegistrationEnabled, false),
    graceDays: reader.parsed(ONBOARDING_ENV.businessTokenGraceDays, graceDays, DEFAULT_GRACE_DAYS),
    stuckAfterMs: reader.integer(ONBOARDING_ENV.stuckAfterMinutes, DEFAULT_STUCK_AFTER_MINUTES, 1) * 60_000,
  };
};

/**
 * The deploy-time check of the same settings (CDK context), so that a wrong value fails `cdk synth` with the
 * problem named rather than every invocation at cold start.
 */
export const onboardingSettingsProblems = (env: Readonly<Record<string, string | undefined>>): string[] => {
  try {
    const reader = new EnvReader(env);
    reader.done(readOnboardingSettings(reader));
    return [];
  } catch (error) {
    return error instanceof ConfigError ? error.problems : [String(error)];
  }
};
