import type { SQSRecord } from 'aws-lambda';
import { sleep } from '../../kernel/async.js';
import { withDeadline } from '../../kernel/deadline.js';
import { errorMessage, InvalidEventError } from '../../kernel/errors.js';
import { deadLetterInvalid } from '../../platform/consumers/consumer.js';
import { ActionInProgressError } from '../../platform/http/action-guard.js';
import type { Telemetry } from '../../platform/observability/telemetry.js';
import type { DeadLetterSink } from '../../platform/queue/ports.js';
import { type OnboardingJob, parseOnboardingJob } from './jobs.js';
import { readOnboarding, STEPS } from './model.js';
import { offboard } from './offboarding.js';
import type { OnboardingDeps } from './steps/context.js';
import { continueOnboarding, leaseKey, type RunOutcome, startOnboarding } from './workflow.js';

/** A job's Graph calls end (or give up) before the actions function's 30 s. */
export const JOB_BUDGET_MS = 25_000;

export interface OnboardingJobDeps {
  onboarding: OnboardingDeps;
  /** A business-token job of version 1 (queued before onboarding): handled as it always was. */
  legacy(record: SQSRecord): Promise<void>;
  telemetry: Telemetry;
  /** The job queue's DLQ: an invalid job goes there at once. */
  deadLetters: DeadLetterSink;
  /** The job queue's name (its DLQ messages name it; redrive takes it). */
  queue: string;
  /** Waits while another holds the WABA's lease (tests pass their own). */
  pause?: (ms: number) => Promise<void>;
}

/**
 * How long a job waits, pause after pause, for a lease another holds before it goes back to its queue: a holder
 * is usually done within a second, while the queue would show the job again only after its visibility timeout
 * (minutes in AWS). About 5 s in all, within the job's budget.
 */
const HELD_PAUSES_MS = [100, 200, 400, 800, 1_600, 2_000];
/** Runs of one job at most, however often the lease frees and another job takes it first. */
const MAX_RUNS = 8;

/** Steps Meta did not answer for: the job fails, so its queue delivers it again (then its DLQ). */
class OnboardingIncompleteError extends Error {
  public constructor(wabaId: string, deferred: string[]) {
    super(`onboarding of WABA ${wabaId} waits for Meta: ${deferred.join('; ')}`);
    this.name = 'OnboardingIncompleteError';
  }
}

const run = (deps: OnboardingDeps, job: OnboardingJob): Promise<RunOutcome | unknown> => {
  switch (job.kind) {
    case 'onboard':
      return startOnboarding(deps, job, 'job:onboard');
    case 'continue':
      return continueOnboarding(deps, job.wabaId, 'job:continue');
    case 'offboard':
      return offboard(deps, job, 'job:offboard');
  }
};

/**
 * What a busy lease means for a job: `coalesced` when its holder does this job's work anyway (another onboarding
 * job on the same onboarding, with nothing newer to start), `free` when the holder has answered since or its
 * lease has lapsed (a holder that died: the next acquire takes it), else `held`.
 */
const whenBusy = async (deps: OnboardingDeps, job: OnboardingJob): Promise<'coalesced' | 'free' | 'held'> => {
  const lease = await deps.control.get(leaseKey(job.wabaId));
  const holder = lease?.leaseOwner;
  if (typeof holder !== 'string') return 'free';
  if (typeof lease?.leaseUntil === 'number' && lease.leaseUntil < (deps.now ?? Date.now)()) return 'free';
  if (job.kind === 'offboard' || !/^job:(onboard|continue):/.test(holder)) return 'held';
  const register = readOnboarding(await deps.store.read(job.wabaId));
  // Not written yet: a start holds the lease and begins this very onboarding (its own message is retried if it
  // dies); a continuation finds nothing to continue, so this job must run after it.
  if (register === undefined) return holder.startsWith('job:onboard:') ? 'coalesced' : 'held';
  const covered =
    job.kind === 'continue' || job.event === 'reconciliation' || register.startedAt >= job.timeMs;
  return covered ? 'coalesced' : 'held';
};

/**
 * Runs the job. Each time the WABA's lease is busy it reads who holds it: done when the holder does this job's
 * work, run again at once when the lease is free (another job may take it first: then the same again), else a
 * pause (`HELD_PAUSES_MS`); past the last pause, or the job's deadline, the queue retries it.
 */
const runOnce = async (
  deps: OnboardingDeps,
  job: OnboardingJob,
  deadline: number,
  pause: (ms: number) => Promise<void>,
) => {
  const now = deps.now ?? Date.now;
  const pauses = [...HELD_PAUSES_MS];
  for (let runs = 1; ; runs++) {
    try {
      return await withDeadline(deadline, () => run(deps, job));
    } catch (error) {
      if (!(error instanceof ActionInProgressError) || runs > MAX_RUNS) throw error;
      let busy = await whenBusy(deps, job);
      while (busy === 'held') {
        const wait = pauses.shift();
        if (wait === undefined || now() + wait >= deadline) throw error;
        await pause(wait);
        busy = await whenBusy(deps, job);
      }
      if (busy === 'coalesced') return undefined;
    }
  }
};

const isOutcome = (value: unknown): value is RunOutcome =>
  typeof value === 'object' && value !== null && 'deferred' in value;

/**
 * The job queue's record handler in the actions function: onboarding jobs (start, continue, offboard) and the
 * business-token jobs of version 1. An invalid job goes to the DLQ at once; a job Meta left unfinished fails so
 * that SQS delivers it again; a refusal is the step's outcome, recorded, and the job is done.
 */
export const onboardingJobHandler = (deps: OnboardingJobDeps) => async (record: SQSRecord) => {
  let job: OnboardingJob | 'legacy';
  try {
    job = parseOnboardingJob(record.body);
  } catch (error) {
    if (!(error instanceof InvalidEventError)) throw error;
    await deadLetterInvalid(record, error, deps, deps.queue, { messageId: record.messageId });
    deps.telemetry.count('EventsProcessed', 1, { Domain: deps.queue, Outcome: 'invalid' });
    return;
  }
  if (job === 'legacy') return deps.legacy(record);
  const now = (deps.onboarding.now ?? Date.now)();
  try {
    const outcome = await runOnce(deps.onboarding, job, now + JOB_BUDGET_MS, deps.pause ?? sleep);
    if (isOutcome(outcome) && outcome.deferred.length > 0)
      throw new OnboardingIncompleteError(job.wabaId, outcome.deferred);
    if (isOutcome(outcome)) {
      const states = STEPS.map((step) => `${step}=${outcome.register.steps[step].state}`).join(' ');
      deps.telemetry.logger.info('onboarding ran', { wabaId: job.wabaId, kind: job.kind, states });
    }
  } catch (error) {
    deps.telemetry.logger.warn('onboarding job failed: it will be retried', {
      wabaId: job.wabaId,
      kind: job.kind,
      error: errorMessage(error),
    });
    throw error;
  }
};
