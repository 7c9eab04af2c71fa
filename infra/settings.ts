import type { Node } from 'constructs';

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
}

const CONTEXT_PREFIX = 'switchboard:';

export const DEFAULT_SETTINGS: SwitchboardSettings = {
  metaAppId: '',
  metaBusinessId: '',
  metaPartnerBusinessIds: '',
  graphApiBaseUrl: 'https://graph.facebook.com/v21.0',
  reconcileRateMinutes: 15,
  businessTokens: false,
  alarmEmail: '',
  onboardingAlarmShare: 0.8,
};

const asBoolean = (value: unknown): boolean => value === true || value === 'true';

export const readSettings = (node: Node): SwitchboardSettings => {
  const value = (name: keyof SwitchboardSettings): unknown => node.tryGetContext(`${CONTEXT_PREFIX}${name}`);
  const text = (name: keyof SwitchboardSettings, fallback: string): string => {
    const raw = value(name);
    return raw === undefined || raw === null ? fallback : String(raw);
  };
  const rate = Number(value('reconcileRateMinutes') ?? DEFAULT_SETTINGS.reconcileRateMinutes);
  if (!Number.isInteger(rate) || rate < 1)
    throw new Error(`${CONTEXT_PREFIX}reconcileRateMinutes must be a whole number of minutes >= 1`);
  const share = Number(value('onboardingAlarmShare') ?? DEFAULT_SETTINGS.onboardingAlarmShare);
  if (!(share > 0 && share <= 1)) throw new Error(`${CONTEXT_PREFIX}onboardingAlarmShare must be in (0, 1]`);
  return {
    metaAppId: text('metaAppId', DEFAULT_SETTINGS.metaAppId),
    metaBusinessId: text('metaBusinessId', DEFAULT_SETTINGS.metaBusinessId),
    metaPartnerBusinessIds: text('metaPartnerBusinessIds', DEFAULT_SETTINGS.metaPartnerBusinessIds),
    graphApiBaseUrl: text('graphApiBaseUrl', DEFAULT_SETTINGS.graphApiBaseUrl),
    reconcileRateMinutes: rate,
    businessTokens: asBoolean(value('businessTokens')),
    alarmEmail: text('alarmEmail', DEFAULT_SETTINGS.alarmEmail),
    onboardingAlarmShare: share,
  };
};
