import { eventIdOf } from '../../kernel/event-id.js';
import {
  type Item,
  type Register,
  type RegisterWrite,
  registerOf,
  versionOf,
} from '../../kernel/registers.js';

/**
 * A WABA's onboarding: one register in the WABA's own item (`r_onboarding`), written by the onboarding
 * workflow one step outcome at a time under the WABA's onboarding lease. It owns the index attribute
 * `onboardingState`, so `GET /v1/onboardings?state=` reads one index partition.
 */
export const STEPS = ['businessToken', 'subscription', 'creditLine', 'phoneRegistration'] as const;
export type StepName = (typeof STEPS)[number];
export type StepState = 'pending' | 'done' | 'failed' | 'skipped';
export type OnboardingState = 'pending' | 'failed' | 'complete';
export const ONBOARDING_STATES: readonly OnboardingState[] = ['pending', 'failed', 'complete'];

export const isStepName = (value: string): value is StepName => (STEPS as readonly string[]).includes(value);

export const ONBOARDING_REGISTER = 'r_onboarding';
/** The index attribute the register owns: its overall state. */
export const ONBOARDING_STATE_ATTRIBUTE = 'onboardingState';

/** One phone number's registration (`POST /<PHONE_NUMBER_ID>/register`). */
export interface NumberRecord {
  state: StepState;
  code: number | null;
  message: string | null;
  /** Our register calls for this number (epoch ms) within Meta's window of 72 hours: at most 10. */
  attempts: number[];
}

export interface StepRecord {
  state: StepState;
  /** When the step took this state (epoch ms). */
  at: number;
  /** Meta's error code of a refusal; null otherwise. */
  code: number | null;
  /** Meta's message of a refusal, or why the step waits or was skipped. */
  message: string | null;
  /** creditLine: the allocation config `whatsapp_credit_sharing_and_attach` created. */
  allocationConfigId?: string;
  /** creditLine: when an operator revoked the allocation (epoch ms). */
  revokedAt?: number;
  /** subscription: the override callback Meta lists for our app (null: the app's own callback URL). */
  overrideCallbackUri?: string | null;
  /** A write Meta did not confirm (epoch ms): the step reads Meta before it may send anything again. */
  unconfirmedAt?: number;
  /** phoneRegistration: each phone number of the WABA. */
  numbers?: Record<string, NumberRecord>;
}

/** The business-token secret's deletion after an offboarding (Secrets Manager's recovery window). */
export interface TokenDeletion {
  state: 'scheduled' | 'kept' | 'cancelled';
  secretName: string;
  /** When the secret is gone (epoch ms), while scheduled. */
  deleteAfter: number | null;
  /** The event that offboarded the WABA, or why the secret was kept or restored. */
  reason: string;
  at: number;
}

/** What an onboarding says, without its version and derived state. */
export interface OnboardingContent {
  /** When the onboarding began: the time of the event that started it (epoch ms). */
  startedAt: number;
  /** PARTNER_ADDED, PARTNER_APP_INSTALLED or reconciliation. */
  trigger: string;
  steps: Record<StepName, StepRecord>;
  /** When reconciliation last verified the subscription (and credit line) with Meta (epoch ms). */
  verifiedAt?: number;
  /** The deactivating event that ended this onboarding (epoch ms): a newer add or install starts a new one. */
  offboardedAt?: number;
  tokenDeletion?: TokenDeletion;
}

export interface OnboardingRegister extends Register, OnboardingContent {
  /** This write's instant (epoch ms): each write is later than the last. */
  updatedAt: number;
  state: OnboardingState;
}

export const stateOf = (steps: Record<StepName, StepRecord>): OnboardingState => {
  const states = STEPS.map((step) => steps[step].state);
  if (states.includes('failed')) return 'failed';
  return states.includes('pending') ? 'pending' : 'complete';
};

export const readOnboarding = (item: Item | undefined): OnboardingRegister | undefined => {
  const register = registerOf(item, ONBOARDING_REGISTER);
  if (register === undefined || typeof register.steps !== 'object' || register.steps === null)
    return undefined;
  return register as OnboardingRegister;
};

const pending = (at: number, message: string | null = null): StepRecord => ({
  state: 'pending',
  at,
  code: null,
  message,
});

/** A deletion scheduled by the last offboarding no longer applies: the new onboarding restores the token. */
const carriedDeletion = (deletion: TokenDeletion, now: number): TokenDeletion =>
  deletion.state === 'scheduled'
    ? { ...deletion, state: 'cancelled', deleteAfter: null, reason: 'a newer onboarding', at: now }
    : deletion;

/**
 * A new onboarding of the WABA: every step pending again (each reads Meta before acting, so a step done before
 * costs one read). What Meta keeps across onboardings carries over: the allocation config and our register calls.
 */
export const newOnboarding = (
  previous: OnboardingRegister | undefined,
  trigger: { event: string; timeMs: number },
  now: number,
): OnboardingContent => {
  const steps = Object.fromEntries(STEPS.map((step) => [step, pending(now)])) as Record<StepName, StepRecord>;
  const credit = previous?.steps.creditLine;
  if (credit?.allocationConfigId !== undefined && credit.revokedAt === undefined)
    steps.creditLine = { ...steps.creditLine, allocationConfigId: credit.allocationConfigId };
  const numbers = previous?.steps.phoneRegistration.numbers;
  if (numbers !== undefined) {
    const attemptsOnly = Object.entries(numbers).map(([id, record]) => [
      id,
      { state: 'pending', code: null, message: null, attempts: record.attempts },
    ]);
    steps.phoneRegistration = { ...steps.phoneRegistration, numbers: Object.fromEntries(attemptsOnly) };
  }
  return {
    startedAt: trigger.timeMs,
    trigger: trigger.event,
    steps,
    ...(previous?.tokenDeletion === undefined
      ? {}
      : { tokenDeletion: carriedDeletion(previous.tokenDeletion, now) }),
  };
};

/**
 * The register's next value at `now`: never earlier than the last write (clocks of two hosts may disagree), its
 * state derived from its steps, its version from its content.
 */
export const nextRegister = (
  wabaId: string,
  base: OnboardingContent,
  previous: OnboardingRegister | undefined,
  now: number,
): OnboardingRegister => {
  const updatedAt = Math.max(now, (previous?.updatedAt ?? 0) + 1);
  // A register spread into `base` brings its version and state along: they are recomputed here.
  const {
    v: _v,
    updatedAt: _u,
    state: _s,
    ...content
  } = base as OnboardingContent & {
    v?: string;
    updatedAt?: number;
    state?: OnboardingState;
  };
  return {
    ...content,
    v: versionOf(updatedAt, 0, eventIdOf({ wabaId, ...content, updatedAt })),
    updatedAt,
    state: stateOf(base.steps),
  };
};

/** The one conditional write of a register value; its state is the index key it owns. */
export const onboardingWrite = (register: OnboardingRegister): RegisterWrite => ({
  register: ONBOARDING_REGISTER,
  value: register,
  owned: { [ONBOARDING_STATE_ATTRIBUTE]: register.state },
});

/** The register with one step replaced. */
export const withStep = (
  register: OnboardingContent,
  step: StepName,
  record: StepRecord,
): OnboardingContent => ({
  ...register,
  steps: { ...register.steps, [step]: record },
});

/** Since when the onboarding has been as it is: the oldest unfinished step's time (epoch ms). */
export const stuckSince = (register: OnboardingRegister): number | undefined => {
  const times = STEPS.map((step) => register.steps[step])
    .filter((record) => record.state === 'pending' || record.state === 'failed')
    .map((record) => record.at);
  return times.length === 0 ? undefined : Math.min(...times);
};
