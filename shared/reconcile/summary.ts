/** What a reconciliation run reports (its metrics and the answer of `POST /v1/reconcile`). */
export interface ReconcileSummary {
  complete: boolean;
  /** Why the run stopped early, when it did. */
  stoppedBy: string | null;
  pages: number;
  wabasSeen: number;
  /** True while no full sweep ever completed: unknown WABAs are the baseline, not drift. */
  baseline: boolean;
  /** WABAs no webhook had told us about: webhooks we missed. */
  wabasDiscovered: number;
  /** WABAs first recorded by the baseline sweep (before it, nothing was known to be missing). */
  wabasBaselined: number;
  wabasUpdated: number;
  /** Entries of Graph's answers without a usable ID (not decimal digits): skipped, never written. */
  invalidEntries: number;
  solutionsSeen: number;
  solutionsChanged: number;
  retries: number;
  durationMs: number;
}

export const emptySummary = (baseline: boolean): ReconcileSummary => ({
  complete: false,
  stoppedBy: null,
  pages: 0,
  wabasSeen: 0,
  baseline,
  wabasDiscovered: 0,
  wabasBaselined: 0,
  wabasUpdated: 0,
  invalidEntries: 0,
  solutionsSeen: 0,
  solutionsChanged: 0,
  retries: 0,
  durationMs: 0,
});
