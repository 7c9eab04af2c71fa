import { randomUUID } from 'node:crypto';
import { parseJsonObject } from '../../kernel/json.js';
import type { Item } from '../../kernel/registers.js';
import type { TokenSource } from '../../platform/graph/client.js';
import { ActionInProgressError } from '../../platform/http/action-guard.js';
import {
  newOnboarding,
  nextRegister,
  type OnboardingContent,
  type OnboardingRegister,
  readOnboarding,
  STEPS,
  type StepName,
  type StepRecord,
  withStep,
} from './model.js';
import { businessTokenStep } from './steps/business-token.js';
import {
  type OnboardingDeps,
  type OnboardingSubject,
  type StepContext,
  StepDeferred,
  type StepRun,
} from './steps/context.js';
import { creditLineStep } from './steps/credit-line.js';
import { phoneRegistrationStep } from './steps/phone-registration.js';
import { subscriptionStep } from './steps/subscription.js';

const STEP_RUNS: Record<StepName, StepRun> = {
  businessToken: businessTokenStep,
  subscription: subscriptionStep,
  creditLine: creditLineStep,
  phoneRegistration: phoneRegistrationStep,
};

/** Longer than the actions function's 30 s, so a holder has answered or died when it lapses. */
export const ONBOARDING_LEASE_MS = 35_000;

/** Who holds a WABA's onboarding lease: a job (by kind), an operator's action, or reconciliation. */
export type Holder = 'job:onboard' | 'job:continue' | 'job:offboard' | 'api' | 'reconcile';

export const leaseKey = (wabaId: string) => `onboarding#${wabaId}`;

/** What the WABA's onboarding lease holder found and did. */
export interface Held {
  item: Item | undefined;
  subject: OnboardingSubject | undefined;
  register: OnboardingRegister | undefined;
}

/**
 * Runs `work` holding the WABA's onboarding lease (one conditional write in the control table): one writer of the
 * onboarding register at a time, whatever the number of jobs, actions and sweeps. Busy: `ActionInProgressError`.
 */
export const underWabaLease = async <T>(
  deps: OnboardingDeps,
  wabaId: string,
  holder: Holder,
  work: (held: Held) => Promise<T>,
): Promise<T> => {
  const key = leaseKey(wabaId);
  const owner = `${holder}:${randomUUID()}`;
  const now = (deps.now ?? Date.now)();
  const until = now + ONBOARDING_LEASE_MS;
  if (!(await deps.control.acquireLease(key, owner, until, now, Math.ceil(until / 1000) + 3_600)))
    throw new ActionInProgressError(`the onboarding of WABA ${wabaId}`);
  try {
    const item = await deps.store.read(wabaId);
    return await work({ item, subject: deps.subject(item), register: readOnboarding(item) });
  } finally {
    await deps.control.releaseLease(key, owner);
  }
};

/** The business token from its secret, read at each call (a refreshed token is used at once). */
const tokenFrom =
  (deps: OnboardingDeps, secretName: string): TokenSource =>
  async () => {
    const value = parseJsonObject((await deps.secrets.get(secretName)) ?? '')?.accessToken;
    if (typeof value !== 'string' || value === '')
      throw new StepDeferred(`the business token secret ${secretName} holds no token`);
    return value;
  };

/** Writes the register's next value (never earlier than `previous`); losing to another writer is an error. */
export const saveRegister = async (
  deps: OnboardingDeps,
  wabaId: string,
  base: OnboardingContent,
  previous: OnboardingRegister | undefined,
): Promise<OnboardingRegister> => {
  const next = nextRegister(wabaId, base, previous, (deps.now ?? Date.now)());
  const outcome = await deps.store.write(wabaId, next);
  if (outcome !== 'applied')
    throw new Error(`the onboarding of WABA ${wabaId} was written by another holder`);
  return next;
};

/** The register as a run writes it, one step outcome at a time. */
const writer = (deps: OnboardingDeps, wabaId: string, start: OnboardingRegister) => {
  let current = start;
  return {
    get current() {
      return current;
    },
    async save(base: OnboardingContent): Promise<void> {
      current = await saveRegister(deps, wabaId, base, current);
    },
  };
};

/** The outcome of a run: the register as left, and the steps Meta did not answer for (the job is retried). */
export interface RunOutcome {
  register: OnboardingRegister;
  deferred: string[];
}

/**
 * Runs each pending step in order and writes each outcome as it comes. A refusal fails its step and the run goes
 * on; a silence of Meta leaves the step pending (with why) and the run goes on, then reports it so the job is
 * retried. The steps that need the business token run only once it is stored.
 */
export const runPendingSteps = async (
  deps: OnboardingDeps,
  wabaId: string,
  subject: OnboardingSubject,
  register: OnboardingRegister,
): Promise<RunOutcome> => {
  const log = writer(deps, wabaId, register);
  const deferred: string[] = [];
  let waba = subject;
  for (const step of STEPS) {
    const record = log.current.steps[step];
    if (record.state !== 'pending') continue;
    const save = async (next: StepRecord) => {
      await log.save(withStep(log.current, step, next));
    };
    const tokenReady = log.current.steps.businessToken.state === 'done' && waba.businessTokenSecret !== null;
    const ctx: StepContext = {
      deps,
      wabaId,
      waba,
      register: log.current,
      now: deps.now ?? Date.now,
      businessToken:
        tokenReady && waba.businessTokenSecret !== null
          ? tokenFrom(deps, waba.businessTokenSecret)
          : undefined,
      save,
    };
    try {
      await save(await STEP_RUNS[step](ctx, record));
    } catch (error) {
      if (!(error instanceof StepDeferred)) throw error;
      deferred.push(`${step}: ${error.message}`);
      await save({
        ...log.current.steps[step],
        message: `Meta did not answer; the step is retried: ${error.message}`,
      });
    }
    if (step === 'businessToken' && log.current.steps.businessToken.state === 'done')
      waba = deps.subject(await deps.store.read(wabaId)) ?? waba;
  }
  return { register: log.current, deferred };
};

/** A trigger of an onboarding: the event (or reconciliation) that says the WABA is onboarded with us. */
export interface OnboardingTrigger {
  wabaId: string;
  event: string;
  timeMs: number;
}

/** Whether the trigger begins a new onboarding: the first one, or one after the WABA was offboarded. */
const beginsNew = (register: OnboardingRegister | undefined, trigger: OnboardingTrigger): boolean =>
  register === undefined ||
  (trigger.event !== 'reconciliation' &&
    register.offboardedAt !== undefined &&
    trigger.timeMs >= register.offboardedAt);

/**
 * Starts (or continues) the WABA's onboarding: the first trigger records it, a later one of the same onboarding
 * (PARTNER_APP_INSTALLED beside PARTNER_ADDED, a redelivery) continues it, and a trigger after an offboarding
 * begins a new one. Nothing runs for a WABA that is not active (it was offboarded since).
 */
export const startOnboarding = async (
  deps: OnboardingDeps,
  trigger: OnboardingTrigger,
  holder: Holder,
): Promise<RunOutcome | undefined> => {
  // A redelivered trigger of an onboarding with nothing left to run needs no lease: one read answers it.
  const seen = readOnboarding(await deps.store.read(trigger.wabaId));
  if (seen !== undefined && !beginsNew(seen, trigger) && !hasPending(seen))
    return { register: seen, deferred: [] };
  return underWabaLease(deps, trigger.wabaId, holder, async ({ subject, register }) => {
    if (subject === undefined || !subject.active) return undefined;
    let current = register;
    if (beginsNew(register, trigger)) {
      const now = (deps.now ?? Date.now)();
      current = await saveRegister(deps, trigger.wabaId, newOnboarding(register, trigger, now), register);
    }
    if (current === undefined) return undefined;
    return runPendingSteps(deps, trigger.wabaId, subject, current);
  });
};

const hasPending = (register: OnboardingRegister): boolean =>
  STEPS.some((step) => register.steps[step].state === 'pending');

/** Continues the WABA's onboarding where it stands (a restarted step, a retried job). */
export const continueOnboarding = (
  deps: OnboardingDeps,
  wabaId: string,
  holder: Holder,
): Promise<RunOutcome | undefined> =>
  underWabaLease(deps, wabaId, holder, async ({ subject, register }) =>
    subject === undefined || !subject.active || register === undefined
      ? undefined
      : runPendingSteps(deps, wabaId, subject, register),
  );
