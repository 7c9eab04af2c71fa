import { randomUUID } from 'node:crypto';
import { isRecord } from '../../kernel/json.js';
import { withoutCredentials } from '../../platform/graph/listing.js';

/**
 * A sweep is one complete pass over Meta's lists (every partner filter's client WABAs, then our app's
 * solutions). A run does as much of it as its deadline allows; the checkpoint (Graph's next-page link and
 * the counters) is kept in the control table, so the next run continues where this one stopped.
 */

export interface SweepCounters {
  pages: number;
  wabasSeen: number;
  /** WABAs no webhook had told us about: webhooks we missed. */
  wabasDiscovered: number;
  /** WABAs first recorded by the baseline sweep (before it, nothing was known to be missing). */
  wabasBaselined: number;
  wabasUpdated: number;
  /** Entries of Graph's answers without a usable ID (not decimal digits): skipped, never written. */
  invalidEntries: number;
  /**
   * WABAs recorded without their solutions because the run's lookup allowance was spent or Meta did not answer
   * in time: the next sweep asks again (their solution stays unknown until then).
   */
  solutionLookupsDeferred: number;
  solutionsSeen: number;
  solutionsChanged: number;
  /** Onboardings verified with Meta (our subscription, the credit allocation), and those left for a later run. */
  onboardingChecks: number;
  onboardingChecksDeferred: number;
  /** Onboardings started for active WABAs that had none (discovered after the baseline). */
  onboardingsStarted: number;
  /** Onboarding steps Meta showed undone (not subscribed, not funded): set pending and run again. */
  onboardingStepsRestarted: number;
  /** Per-object Graph errors (a WABA whose solutions Meta would not list), by Graph error code. */
  errorsByCode: Record<string, number>;
}

export type SweepPhase = 'wabas' | 'solutions';

export interface SweepCheckpoint {
  sweepId: string;
  /** Epoch ms. */
  startedAt: number;
  /** The first sweep ever: what it finds is the baseline, not drift. */
  baseline: boolean;
  phase: SweepPhase;
  /** Which partner filter's listing (index into the configured partners; one unfiltered listing if none). */
  partnerIndex: number;
  /** Graph's next-page link to fetch next in this phase; null for the phase's first page. */
  next: string | null;
  runs: number;
  /** Why the sweep was restarted from the beginning (an expired or refused cursor), if it was. */
  restartedBecause: string | null;
  /** Why the last run stopped before its deadline (a listing or token error), if it did; null once a run ends well. */
  lastError: string | null;
  counters: SweepCounters;
}

export interface CompletedSweep extends Omit<SweepCheckpoint, 'phase' | 'partnerIndex' | 'next'> {
  completedAt: number;
}

export const emptyCounters = (): SweepCounters => ({
  pages: 0,
  wabasSeen: 0,
  wabasDiscovered: 0,
  wabasBaselined: 0,
  wabasUpdated: 0,
  invalidEntries: 0,
  solutionLookupsDeferred: 0,
  solutionsSeen: 0,
  solutionsChanged: 0,
  onboardingChecks: 0,
  onboardingChecksDeferred: 0,
  onboardingsStarted: 0,
  onboardingStepsRestarted: 0,
  errorsByCode: {},
});

export const newSweep = (
  now: number,
  baseline: boolean,
  restartedBecause: string | null = null,
): SweepCheckpoint => ({
  sweepId: randomUUID(),
  startedAt: now,
  baseline,
  phase: 'wabas',
  partnerIndex: 0,
  next: null,
  runs: 0,
  restartedBecause,
  lastError: null,
  counters: emptyCounters(),
});

const numberOr = (value: unknown, fallback: number): number =>
  typeof value === 'number' && Number.isFinite(value) ? value : fallback;

/** A checkpoint as stored, or undefined for anything that is not one (it then starts a new sweep). */
export const readCheckpoint = (value: unknown): SweepCheckpoint | undefined => {
  if (!isRecord(value) || typeof value.sweepId !== 'string' || !isRecord(value.counters)) return undefined;
  if (value.phase !== 'wabas' && value.phase !== 'solutions') return undefined;
  const counters = emptyCounters();
  for (const key of Object.keys(counters) as (keyof SweepCounters)[]) {
    if (key === 'errorsByCode') continue;
    counters[key] = numberOr(value.counters[key], 0);
  }
  const errors = value.counters.errorsByCode;
  if (isRecord(errors))
    for (const [code, count] of Object.entries(errors)) counters.errorsByCode[code] = numberOr(count, 0);
  return {
    sweepId: value.sweepId,
    startedAt: numberOr(value.startedAt, 0),
    baseline: value.baseline === true,
    phase: value.phase,
    partnerIndex: numberOr(value.partnerIndex, 0),
    next: typeof value.next === 'string' ? withoutCredentials(value.next) : null,
    runs: numberOr(value.runs, 0),
    restartedBecause: typeof value.restartedBecause === 'string' ? value.restartedBecause : null,
    lastError: typeof value.lastError === 'string' ? value.lastError : null,
    counters,
  };
};

export const completed = (sweep: SweepCheckpoint, completedAt: number): CompletedSweep => {
  const { phase: _phase, partnerIndex: _partner, next: _next, ...rest } = sweep;
  return { ...rest, completedAt };
};

/** Adds `delta` to `into` (a run's counters into its sweep's). */
export const addCounters = (into: SweepCounters, delta: SweepCounters): void => {
  for (const key of Object.keys(delta) as (keyof SweepCounters)[]) {
    if (key === 'errorsByCode') {
      for (const [code, count] of Object.entries(delta.errorsByCode))
        into.errorsByCode[code] = (into.errorsByCode[code] ?? 0) + count;
    } else {
      into[key] += delta[key];
    }
  }
};
