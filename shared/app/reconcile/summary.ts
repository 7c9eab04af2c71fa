import { emptyCounters, type SweepCheckpoint, type SweepCounters } from './sweep.js';

/** What a reconciliation run reports (its metrics and the answer of `POST /v1/reconcile`): this run's counts. */
export interface ReconcileSummary extends SweepCounters {
  /** The sweep completed in this run. */
  complete: boolean;
  /** This run continued a sweep an earlier run had started. */
  resumed: boolean;
  /** Why the run stopped before the sweep completed, when it did. */
  stoppedBy: string | null;
  /** True while no full sweep ever completed: unknown WABAs are the baseline, not drift. */
  baseline: boolean;
  retries: number;
  durationMs: number;
  /** Active WABAs whose onboarding has a step pending or failed past the configured time (null: onboarding off). */
  onboardingsStuck: number | null;
  /** The sweep this run worked on, with its counts so far (all its runs). */
  sweep: SweepCheckpoint | null;
}

export const emptySummary = (baseline: boolean): ReconcileSummary => ({
  complete: false,
  resumed: false,
  stoppedBy: null,
  baseline,
  ...emptyCounters(),
  retries: 0,
  durationMs: 0,
  onboardingsStuck: null,
  sweep: null,
});
