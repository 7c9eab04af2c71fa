import { mapWithConcurrency } from '../../kernel/async.js';
import { errorMessage } from '../../kernel/errors.js';
import { parseJsonObject } from '../../kernel/json.js';
import type { Item } from '../../kernel/registers.js';
import { graphPath, type TokenSource } from '../../platform/graph/client.js';
import { GraphApiError } from '../../platform/graph/errors.js';
import type { PassTally } from '../../platform/graph/listing.js';
import { ActionInProgressError } from '../../platform/http/action-guard.js';
import { primaryFundingOf, receivingCredentialOf, subscribedApps } from './graph-reads.js';
import type { OnboardingJob } from './jobs.js';
import {
  type OnboardingContent,
  type OnboardingRegister,
  readOnboarding,
  type StepName,
  stuckSince,
  withStep,
} from './model.js';
import type { OnboardingDeps, OnboardingSubject } from './steps/context.js';
import { saveRegister, underWabaLease } from './workflow.js';

/** What onboarding's part of a sweep counts (into the run's summary and the sweep's checkpoint). */
export type OnboardingCounter =
  | 'onboardingChecks'
  | 'onboardingChecksDeferred'
  | 'onboardingsStarted'
  | 'onboardingStepsRestarted';

/** A WABA's subscription (and credit line) is verified with Meta at most this often. */
export const VERIFY_EVERY_MS = 24 * 3_600_000;
/** Verifications per run (2 or 3 Graph reads each), so a sweep's runs stay near their paging time. */
export const DEFAULT_CHECKS_PER_RUN = 50;
/** Stuck onboardings are counted from at most this many items per state and run. */
const STUCK_SCAN_LIMIT = 1_000;

export interface OnboardingSweep {
  /** After a page of `client_whatsapp_business_accounts` is recorded: its WABAs' onboardings. */
  checkPage(wabaIds: readonly string[], tally: PassTally<OnboardingCounter>): Promise<void>;
  /** Active WABAs whose onboarding has a step pending or failed longer than the configured time. */
  countStuck(): Promise<number>;
}

const tokenOf =
  (deps: OnboardingDeps, secretName: string): TokenSource =>
  async () => {
    const token = parseJsonObject((await deps.secrets.get(secretName)) ?? '')?.accessToken;
    if (typeof token !== 'string') throw new Error(`no business token in ${secretName}`);
    return token;
  };

/** What Meta says is missing of an onboarding that says done: the steps to run again, and why. */
const missing = async (
  deps: OnboardingDeps,
  waba: OnboardingSubject,
  register: OnboardingRegister,
  token: TokenSource,
): Promise<Partial<Record<StepName, string>>> => {
  const found: Partial<Record<StepName, string>> = {};
  if (register.steps.subscription.state === 'done') {
    const apps = subscribedApps(
      await deps.graph.request({ path: graphPath(waba.wabaId, 'subscribed_apps'), token }),
    );
    if (!apps.some((app) => app.appId === deps.identity.appId))
      found.subscription = 'reconciliation found our app not subscribed to the WABA';
  }
  const allocation = register.steps.creditLine.allocationConfigId;
  if (register.steps.creditLine.state === 'done' && allocation !== undefined) {
    const credential = receivingCredentialOf(
      await deps.graph.request({ path: graphPath(allocation), query: { fields: 'receiving_credential' } }),
    );
    const funding = primaryFundingOf(
      await deps.graph.request({
        path: graphPath(waba.wabaId),
        query: { fields: 'primary_funding_id' },
        token,
      }),
    );
    if (credential === null || credential !== funding)
      found.creditLine = `reconciliation found the WABA funded by ${funding ?? 'nothing'}, not allocation ${allocation}`;
  }
  return found;
};

/**
 * Verifies one WABA with Meta and records it: a missing step is set back to pending (and its job queued), the
 * rest only stamps `verifiedAt`. Under the WABA's onboarding lease; a busy one is left to the next sweep.
 */
const verify = async (
  deps: OnboardingDeps,
  send: (job: OnboardingJob) => Promise<void>,
  waba: OnboardingSubject,
  tally: PassTally<OnboardingCounter>,
): Promise<void> => {
  const secret = waba.businessTokenSecret;
  if (secret === null) return;
  await underWabaLease(deps, waba.wabaId, 'reconcile', async ({ register }) => {
    if (register === undefined) return;
    const found = await missing(deps, waba, register, tokenOf(deps, secret));
    const now = (deps.now ?? Date.now)();
    let next: OnboardingContent = { ...register, verifiedAt: now };
    for (const [step, message] of Object.entries(found) as [StepName, string][]) {
      const { unconfirmedAt: _u, ...record } = next.steps[step];
      next = {
        ...withStep(next, step, { ...record, state: 'pending', at: now, code: null, message }),
        verifiedAt: now,
      };
    }
    await saveRegister(deps, waba.wabaId, next, register);
    const restarted = Object.keys(found).length;
    if (restarted > 0) {
      tally.count('onboardingStepsRestarted', restarted);
      await send({ v: 2, kind: 'continue', wabaId: waba.wabaId });
      deps.telemetry.logger.warn('reconciliation restarted onboarding steps', {
        wabaId: waba.wabaId,
        steps: found,
      });
    }
  });
};

/** What the sweep does for one WABA of a page. */
const checkOne = async (
  deps: OnboardingDeps,
  send: (job: OnboardingJob) => Promise<void>,
  item: Item,
  tally: PassTally<OnboardingCounter>,
  checks: { left: number },
): Promise<void> => {
  const waba = deps.subject(item);
  if (waba === undefined || !waba.active) return;
  const register = readOnboarding(item);
  const now = (deps.now ?? Date.now)();
  if (register === undefined) {
    // Discovered (or onboarded before onboarding existed): its onboarding starts once its solution is known.
    if (waba.solutionId === null || tally.baseline) return;
    await send({ v: 2, kind: 'onboard', wabaId: waba.wabaId, event: 'reconciliation', timeMs: now });
    tally.count('onboardingsStarted');
    return;
  }
  if (register.verifiedAt !== undefined && register.verifiedAt > now - VERIFY_EVERY_MS) return;
  if (checks.left <= 0) {
    tally.count('onboardingChecksDeferred');
    return;
  }
  checks.left -= 1;
  tally.count('onboardingChecks');
  try {
    await verify(deps, send, waba, tally);
  } catch (error) {
    // One WABA's refusal or a busy lease is counted and left to the next sweep; it never ends the run.
    if (error instanceof ActionInProgressError) tally.count('onboardingChecksDeferred');
    else if (error instanceof GraphApiError) tally.error(String(error.graph.code ?? error.httpStatus));
    else throw error;
    deps.telemetry.logger.info('onboarding check skipped', {
      wabaId: waba.wabaId,
      error: errorMessage(error),
    });
  }
};

/**
 * Onboarding's part of reconciliation: for each active WABA a page lists, an onboarding that never started starts
 * (a discovered WABA), and one that says done is verified with Meta now and then (our subscription, the credit
 * allocation against the WABA's funding); what is missing is set back to pending and run again by its job.
 */
export const onboardingSweep = (
  deps: OnboardingDeps,
  send: (job: OnboardingJob) => Promise<void>,
  checksPerRun = DEFAULT_CHECKS_PER_RUN,
): OnboardingSweep => {
  const checks = { left: checksPerRun };
  return {
    async checkPage(wabaIds, tally) {
      const items = await deps.store.items(wabaIds);
      await mapWithConcurrency(items, 5, (item) => checkOne(deps, send, item, tally, checks));
    },
    async countStuck() {
      const now = (deps.now ?? Date.now)();
      let stuck = 0;
      for (const state of ['pending', 'failed'] as const) {
        let cursor: string | undefined;
        let seen = 0;
        do {
          const page = await deps.store.listByState(state, 100, cursor);
          for (const item of page.items) {
            const register = readOnboarding(item);
            const since = register === undefined ? undefined : stuckSince(register);
            if (since !== undefined && since < now - deps.settings.stuckAfterMs && deps.subject(item)?.active)
              stuck += 1;
          }
          seen += page.items.length;
          cursor = page.nextCursor ?? undefined;
        } while (cursor !== undefined && seen < STUCK_SCAN_LIMIT);
      }
      return stuck;
    },
  };
};
