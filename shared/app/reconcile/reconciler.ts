import type { OnboardingSweep } from '../../domains/onboarding/reconcile.js';
import {
  type GraphSolution,
  recordSolutionPage,
  SOLUTION_FIELDS,
} from '../../domains/solutions/reconcile.js';
import type { SolutionRepository } from '../../domains/solutions/repository.js';
import { type GraphWaba, recordWabaPage, WABA_FIELDS } from '../../domains/wabas/reconcile.js';
import type { WabaRepository } from '../../domains/wabas/repository.js';
import { errorMessage } from '../../kernel/errors.js';
import { idOrNull } from '../../kernel/fields.js';
import type { MetaIdentity } from '../../platform/config/env.js';
import { type GraphClient, graphPath } from '../../platform/graph/client.js';
import {
  GraphApiError,
  GraphAuthError,
  GraphBudgetExhaustedError,
  GraphLinkRefusedError,
  isTransientGraphError,
} from '../../platform/graph/errors.js';
import { PAGE_SIZE, partnerFilter, resumablePages } from '../../platform/graph/listing.js';
import type { Telemetry } from '../../platform/observability/telemetry.js';
import { emptySummary, type ReconcileSummary } from './summary.js';
import { newSweep, type SweepCheckpoint } from './sweep.js';
import { Tally } from './tally.js';

/** `GET /<WABA_ID>/solutions` calls per run, so a first run over thousands of WABAs stays near paging time. */
export const DEFAULT_SOLUTION_LOOKUPS_PER_RUN = 100;
/** The checkpoint is stored every this many pages (and when the run stops): a crash redoes at most these. */
const SAVE_EVERY_PAGES = 10;

export interface ReconcileDeps {
  graph: GraphClient;
  wabas: WabaRepository;
  solutions: SolutionRepository;
  identity: MetaIdentity;
  telemetry: Telemetry;
  now?: () => number;
  solutionLookupsPerRun?: number;
  /**
   * True until a first full sweep completed: every WABA found then is the baseline of what exists, not
   * evidence of missed webhooks, so it is counted apart and raises no drift alarm.
   */
  baseline?: boolean;
  /** Onboarding's part of the sweep (with this run's Graph client), when onboarding is on. */
  onboarding?: (graph: GraphClient) => OnboardingSweep;
}

/** The stored next-page link was refused: the sweep restarts from the beginning. */
class StoredCursorRefused extends Error {}

/**
 * A refusal of a link we stored (expired cursor, another host), not of the token, and not an outage: a 5xx or
 * throttling that outlasted the retries keeps the checkpoint for the next run instead of restarting the sweep.
 */
const refusesLink = (error: unknown): boolean =>
  error instanceof GraphLinkRefusedError ||
  (error instanceof GraphApiError &&
    !(error instanceof GraphAuthError) &&
    !isTransientGraphError(error.httpStatus, error.graph, false));

/**
 * The webhook fallback: lists the customer WABAs (per partner filter) and our app's solutions, and writes what
 * differs through the same domain path as webhooks. A run continues its sweep from the stored checkpoint until
 * the sweep completes or the deadline; it never deletes, and is safe beside live webhooks (every write is a
 * conditional register write). Per-object Graph errors are counted and skipped; an error about a whole listing
 * or the token stops the run (the checkpoint keeps what was done).
 */
export class Reconciler {
  private readonly now: () => number;
  private readonly lookups: { left: number };
  private sweep: SweepCheckpoint;
  private summary: ReconcileSummary;
  private tally: Tally;
  private readonly onboarding: OnboardingSweep | undefined;

  public constructor(private readonly deps: ReconcileDeps) {
    this.now = deps.now ?? Date.now;
    this.onboarding = deps.onboarding?.(deps.graph);
    this.lookups = { left: deps.solutionLookupsPerRun ?? DEFAULT_SOLUTION_LOOKUPS_PER_RUN };
    this.sweep = newSweep(0, deps.baseline === true);
    this.summary = emptySummary(this.sweep.baseline);
    this.tally = new Tally(this.summary, this.sweep.counters, this.sweep.baseline);
  }

  /**
   * Continues `from` (a stored checkpoint; a new sweep without one) until the sweep completes or the
   * deadline; `save` stores the checkpoint every few pages.
   */
  public async run(
    deadline: number,
    from?: SweepCheckpoint,
    save: (sweep: SweepCheckpoint) => Promise<void> = async () => undefined,
  ): Promise<ReconcileSummary> {
    const started = this.now();
    this.begin(from ?? newSweep(started, this.deps.baseline === true), from !== undefined);
    try {
      try {
        this.summary.complete = await this.continueSweep(deadline, save);
      } catch (error) {
        if (!(error instanceof StoredCursorRefused)) throw error;
        this.deps.telemetry.logger.warn('reconciliation restarts its sweep', { reason: error.message });
        this.begin(newSweep(this.now(), this.sweep.baseline, error.message), false);
        this.summary.complete = await this.continueSweep(deadline, save);
      }
      await this.countStuckOnboardings();
      return this.summary;
    } catch (error) {
      if (!(error instanceof GraphBudgetExhaustedError)) {
        // A listing or token error stops the run, not the sweep: what was recorded is kept for the next run.
        this.sweep.lastError = errorMessage(error);
        await save(this.sweep).catch((saveError: unknown) =>
          this.deps.telemetry.logger.error('reconciliation could not keep its checkpoint', {
            error: errorMessage(saveError),
          }),
        );
        throw error;
      }
      this.summary.stoppedBy = `time budget (${error.lastError})`;
      return this.summary;
    } finally {
      this.summary.retries = this.deps.graph.stats.retries;
      this.summary.durationMs = this.now() - started;
      this.publish();
    }
  }

  private begin(sweep: SweepCheckpoint, resumed: boolean): void {
    this.sweep = sweep;
    sweep.runs += 1;
    sweep.lastError = null;
    this.summary = { ...emptySummary(sweep.baseline), resumed, sweep };
    this.tally = new Tally(this.summary, sweep.counters, sweep.baseline);
  }

  private async continueSweep(deadline: number, save: (sweep: SweepCheckpoint) => Promise<void>) {
    const partners = this.deps.identity.partnerBusinessIds;
    const filters = partners.length > 0 ? partners : [null];
    while (this.sweep.phase === 'wabas' && this.sweep.partnerIndex < filters.length) {
      const partner = filters[this.sweep.partnerIndex] ?? null;
      const query = {
        fields: WABA_FIELDS,
        limit: PAGE_SIZE,
        ...(partner === null ? {} : { filtering: partnerFilter(partner) }),
      };
      const path = graphPath(this.deps.identity.businessId, 'client_whatsapp_business_accounts');
      const wabaDeps = { ...this.deps, now: this.now, tally: this.tally, lookups: this.lookups };
      const done = await this.listing<GraphWaba>(path, query, deadline, save, async (items, takenAt) => {
        await recordWabaPage(wabaDeps, items, partner, takenAt);
        const ids = items.map((waba) => idOrNull(waba.id)).filter((id): id is string => id !== null);
        await this.onboarding?.checkPage(ids, this.tally);
      });
      if (!done) return false;
      Object.assign(this.sweep, { partnerIndex: this.sweep.partnerIndex + 1, next: null });
    }
    if (this.sweep.phase === 'wabas') Object.assign(this.sweep, { phase: 'solutions', next: null });
    if (this.deps.identity.appId === '') return true;
    const path = graphPath(this.deps.identity.appId, 'whatsapp_business_solutions');
    const solutionDeps = { ...this.deps, now: this.now, tally: this.tally };
    return this.listing<GraphSolution>(
      path,
      { fields: SOLUTION_FIELDS, limit: PAGE_SIZE },
      deadline,
      save,
      (items, takenAt) => recordSolutionPage(solutionDeps, items, takenAt),
    );
  }

  /**
   * Records the pages of one listing from the checkpoint; true when the listing ended, false when the
   * deadline stopped it (the checkpoint then names the first page no one has fetched).
   */
  private async listing<T>(
    path: string,
    query: Record<string, string>,
    deadline: number,
    save: (sweep: SweepCheckpoint) => Promise<void>,
    /** Records one page; `takenAt` is when its request was sent (a reading's time, before the Graph call). */
    record: (items: T[], takenAt: number) => Promise<void>,
  ): Promise<boolean> {
    const resumedFrom = this.sweep.next;
    const fetchPage = async (link: string | undefined) => {
      try {
        return await this.deps.graph.request<{ data?: T[]; paging?: { next?: unknown } }>(
          link === undefined ? { path, query } : { path: link },
        );
      } catch (error) {
        if (link !== undefined && link === resumedFrom && refusesLink(error))
          throw new StoredCursorRefused(`Graph refused the stored cursor: ${errorMessage(error)}`);
        throw error;
      }
    };
    let unsaved = 0;
    let next: string | undefined;
    for await (const page of resumablePages<T>(
      fetchPage,
      resumedFrom ?? undefined,
      () => this.now() < deadline,
      this.now,
    )) {
      await record(page.items, page.takenAt);
      next = page.next;
      this.sweep.next = next ?? null;
      unsaved += 1;
      // Saved after a run's first page too, so `GET /v1/reconcile` shows a sweep from its start.
      if ((unsaved >= SAVE_EVERY_PAGES || this.summary.pages === 1) && next !== undefined) {
        await save(this.sweep);
        unsaved = 0;
      }
    }
    if (next === undefined) return true;
    this.summary.stoppedBy = 'time budget';
    return false;
  }

  /** Onboardings stuck past the configured time, for the OnboardingStuck alarm; a failure to count ends nothing. */
  private async countStuckOnboardings(): Promise<void> {
    if (this.onboarding === undefined) return;
    try {
      this.summary.onboardingsStuck = await this.onboarding.countStuck();
    } catch (error) {
      this.deps.telemetry.logger.warn('stuck onboardings could not be counted', {
        error: errorMessage(error),
      });
    }
  }

  private publish(): void {
    const { telemetry } = this.deps;
    const { summary } = this;
    telemetry.count('ReconcilePages', summary.pages, undefined, true);
    telemetry.count('WabasSeen', summary.wabasSeen, undefined, true);
    telemetry.count('WabasDiscovered', summary.wabasDiscovered, undefined, true);
    telemetry.count('WabasBaselined', summary.wabasBaselined);
    telemetry.count('SolutionsChanged', summary.solutionsChanged, undefined, true);
    telemetry.count('GraphRetries', summary.retries, undefined, true);
    telemetry.count('ReconcilePartial', summary.complete ? 0 : 1, undefined, true);
    telemetry.count('OnboardingStepsRestarted', summary.onboardingStepsRestarted);
    if (summary.onboardingsStuck !== null)
      telemetry.count('OnboardingsStuck', summary.onboardingsStuck, undefined, true);
    for (const [code, count] of Object.entries(summary.errorsByCode))
      telemetry.count('ReconcileObjectErrors', count, { Code: code });
    telemetry.milliseconds('ReconcileDurationMs', summary.durationMs);
    const { sweep: _sweep, ...counts } = summary;
    telemetry.logger.info('reconciliation finished', {
      ...counts,
      sweepId: this.sweep.sweepId,
      sweepRuns: this.sweep.runs,
    });
  }
}
