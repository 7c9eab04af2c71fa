import { type Item, toEpochSeconds } from '../../kernel/registers.js';
import {
  type NumberRecord,
  type OnboardingState,
  readOnboarding,
  STEPS,
  type StepName,
  type StepRecord,
  type StepState,
} from './model.js';

/** One step as the read model serves it: `at` in epoch seconds, Meta's code and message of a refusal. */
export interface StepView {
  state: StepState;
  at: number;
  code: number | null;
  message: string | null;
  allocationConfigId?: string | null;
  revokedAt?: number;
  overrideCallbackUri?: string | null;
  unconfirmed?: boolean;
  numbers?: Record<string, Omit<NumberRecord, 'attempts'> & { attemptsLast72h: number }>;
}

/** The `onboarding` block of a WABA (CONTRACT "Onboarding"). */
export interface OnboardingView {
  state: OnboardingState;
  trigger: string;
  startedAt: number;
  updatedAt: number;
  steps: Record<StepName, StepView>;
  verifiedAt: number | null;
  businessTokenDeletion: {
    state: 'scheduled' | 'kept' | 'cancelled';
    secretName: string;
    deleteAfter: number | null;
    reason: string;
    at: number;
  } | null;
}

const REGISTRATION_WINDOW_MS = 72 * 3_600_000;

const stepView = (step: StepName, record: StepRecord, now: number): StepView => ({
  state: record.state,
  at: toEpochSeconds(record.at),
  code: record.code,
  message: record.message,
  ...(step === 'creditLine'
    ? {
        allocationConfigId: record.allocationConfigId ?? null,
        ...(record.revokedAt === undefined ? {} : { revokedAt: toEpochSeconds(record.revokedAt) }),
      }
    : {}),
  ...(record.overrideCallbackUri === undefined ? {} : { overrideCallbackUri: record.overrideCallbackUri }),
  ...(record.unconfirmedAt === undefined ? {} : { unconfirmed: true }),
  ...(record.numbers === undefined
    ? {}
    : {
        numbers: Object.fromEntries(
          Object.entries(record.numbers).map(([id, { attempts, ...rest }]) => [
            id,
            { ...rest, attemptsLast72h: attempts.filter((at) => at > now - REGISTRATION_WINDOW_MS).length },
          ]),
        ),
      }),
});

/** The WABA's onboarding as the read model serves it; null when none was ever started. */
export const projectOnboarding = (
  item: Item | undefined,
  now: number = Date.now(),
): OnboardingView | null => {
  const register = readOnboarding(item);
  if (register === undefined) return null;
  const deletion = register.tokenDeletion;
  return {
    state: register.state,
    trigger: register.trigger,
    startedAt: toEpochSeconds(register.startedAt),
    updatedAt: toEpochSeconds(register.updatedAt),
    steps: Object.fromEntries(
      STEPS.map((step) => [step, stepView(step, register.steps[step], now)]),
    ) as Record<StepName, StepView>,
    verifiedAt: register.verifiedAt === undefined ? null : toEpochSeconds(register.verifiedAt),
    businessTokenDeletion:
      deletion === undefined
        ? null
        : {
            ...deletion,
            at: toEpochSeconds(deletion.at),
            deleteAfter: deletion.deleteAfter === null ? null : toEpochSeconds(deletion.deleteAfter),
          },
  };
};
