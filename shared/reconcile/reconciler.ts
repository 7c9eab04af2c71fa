import type { MetaIdentity } from '../config.js';
import { eventIdOf } from '../domain/event-id.js';
import { idOrNull } from '../domain/fields.js';
import type { Item } from '../domain/registers.js';
import { pendingRequestOf, type SolutionEvent } from '../domain/solution.js';
import type { ReconciledFields, WabaObservation } from '../domain/waba.js';
import { isKnownWaba, projectWaba, reconciledFields } from '../domain/waba-view.js';
import { type GraphClient, graphPath } from '../graph/client.js';
import { GraphBudgetExhaustedError } from '../graph/errors.js';
import type { Telemetry } from '../observability/telemetry.js';
import type { SolutionRepository, WabaRepository } from '../store/repositories.js';
import { mapWithConcurrency } from '../util/async.js';
import {
  type GraphSolution,
  type GraphWaba,
  PAGE_SIZE,
  partnerFilter,
  prefetched,
  SOLUTION_FIELDS,
  text,
  WABA_FIELDS,
} from './listing.js';
import { emptySummary, type ReconcileSummary } from './summary.js';

const WRITE_CONCURRENCY = 10;
/** `GET /<WABA_ID>/solutions` calls per run, so a first run over thousands of WABAs stays near paging time. */
export const DEFAULT_SOLUTION_LOOKUPS_PER_RUN = 100;

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
}

const sameFields = (stored: ReturnType<typeof reconciledFields>, observation: WabaObservation): boolean =>
  stored !== undefined &&
  stored.name === observation.name &&
  stored.timezoneId === observation.timezoneId &&
  stored.businessType === observation.businessType &&
  stored.messageTemplateNamespace === observation.messageTemplateNamespace &&
  stored.partnerBusinessId === observation.partnerBusinessId &&
  JSON.stringify(stored.solutionIds) === JSON.stringify(observation.solutionIds);

/**
 * The webhook fallback: lists the customer WABAs (per partner filter) and our app's solutions, and
 * writes what differs through the same domain path as webhooks. It never deletes, is safe beside live
 * webhooks and beside another run (every write is a conditional register write), and stops at the
 * deadline with a partial summary.
 */
export class Reconciler {
  private readonly now: () => number;
  private lookupsLeft: number;

  public constructor(private readonly deps: ReconcileDeps) {
    this.now = deps.now ?? Date.now;
    this.lookupsLeft = deps.solutionLookupsPerRun ?? DEFAULT_SOLUTION_LOOKUPS_PER_RUN;
  }

  public async run(deadline: number): Promise<ReconcileSummary> {
    const started = this.now();
    const summary = emptySummary(this.deps.baseline === true);
    try {
      const filters =
        this.deps.identity.partnerBusinessIds.length > 0 ? this.deps.identity.partnerBusinessIds : [null];
      for (const partner of filters) {
        if (!(await this.reconcileWabas(partner, deadline, summary))) return summary;
      }
      summary.complete = await this.reconcileSolutions(deadline, summary);
      return summary;
    } catch (error) {
      if (!(error instanceof GraphBudgetExhaustedError)) throw error;
      summary.stoppedBy = 'time budget (while waiting to retry)';
      return summary;
    } finally {
      summary.retries = this.deps.graph.stats.retries;
      summary.durationMs = this.now() - started;
      this.publish(summary);
    }
  }

  private outOfTime(deadline: number, summary: ReconcileSummary): boolean {
    if (this.now() < deadline) return false;
    summary.stoppedBy = 'time budget';
    return true;
  }

  private async reconcileWabas(
    partner: string | null,
    deadline: number,
    summary: ReconcileSummary,
  ): Promise<boolean> {
    const query = {
      fields: WABA_FIELDS,
      limit: PAGE_SIZE,
      ...(partner === null ? {} : { filtering: partnerFilter(partner) }),
    };
    const pages = prefetched(
      this.deps.graph.pages<GraphWaba>(
        graphPath(this.deps.identity.businessId, 'client_whatsapp_business_accounts'),
        query,
      ),
    );
    for await (const page of pages) {
      const observedAt = this.now();
      summary.pages += 1;
      const listed = page
        .map((waba) => ({ id: idOrNull(waba.id), waba }))
        .filter((entry): entry is { id: string; waba: GraphWaba } => entry.id !== null);
      summary.wabasSeen += listed.length;
      summary.invalidEntries += page.length - listed.length;
      const discovered: string[] = [];
      const stored = new Map<string, Item>();
      for (const item of await this.deps.wabas.items(listed.map((entry) => entry.id)))
        stored.set(String(item.wabaId), item);
      await mapWithConcurrency(listed, WRITE_CONCURRENCY, async ({ id, waba }) => {
        const item = stored.get(id);
        const known = isKnownWaba(item);
        const previous = reconciledFields(item);
        const solutionIds = await this.solutionIdsFor(id, item, previous);
        const fields = {
          name: text(waba.name),
          timezoneId: text(waba.timezone_id),
          businessType: text(waba.business_type),
          messageTemplateNamespace: text(waba.message_template_namespace),
          partnerBusinessId: partner,
          solutionIds,
        };
        const observation: WabaObservation = {
          type: 'observation',
          wabaId: id,
          timeMs: observedAt,
          eventId: eventIdOf({ wabaId: id, observedAt, ...fields }),
          ...fields,
        };
        if (!known && summary.baseline) summary.wabasBaselined += 1;
        else if (!known) summary.wabasDiscovered += 1;
        if (known && sameFields(previous, observation)) return;
        await this.deps.wabas.apply(observation);
        summary.wabasUpdated += 1;
        if (!known) discovered.push(id);
      });
      if (discovered.length > 0 && !summary.baseline) {
        // One line per page, not per WABA: a first run over thousands of WABAs must not flood the logs.
        this.deps.telemetry.logger.warn('WABAs discovered by reconciliation: webhooks were missed', {
          count: discovered.length,
          wabaIds: discovered.slice(0, 25),
        });
      }
      if (this.outOfTime(deadline, summary)) return false;
    }
    return true;
  }

  /**
   * The solutions reconciliation records for a WABA: kept from earlier runs, else asked of Meta when no
   * PARTNER_ADDED named one, within the run's lookup allowance (the next run continues).
   */
  private async solutionIdsFor(
    wabaId: string,
    item: Item | undefined,
    previous: ReconciledFields | undefined,
  ): Promise<string[]> {
    if (previous !== undefined && previous.solutionIds.length > 0) return previous.solutionIds;
    if (projectWaba(item)?.solutionId || this.lookupsLeft <= 0) return [];
    this.lookupsLeft -= 1;
    return this.solutionsOf(wabaId);
  }

  /** Which solutions onboarded a WABA (`GET /<WABA_ID>/solutions`). */
  private async solutionsOf(wabaId: string): Promise<string[]> {
    const ids: string[] = [];
    for await (const page of this.deps.graph.pages<GraphSolution>(graphPath(wabaId, 'solutions'), {
      fields: 'id',
    })) {
      for (const solution of page) {
        const id = idOrNull(solution.id);
        if (id !== null) ids.push(id);
      }
    }
    return ids;
  }

  private async reconcileSolutions(deadline: number, summary: ReconcileSummary): Promise<boolean> {
    if (this.deps.identity.appId === '') return true;
    const pages = prefetched(
      this.deps.graph.pages<GraphSolution>(
        graphPath(this.deps.identity.appId, 'whatsapp_business_solutions'),
        {
          fields: SOLUTION_FIELDS,
          limit: PAGE_SIZE,
        },
      ),
    );
    for await (const page of pages) {
      const observedAt = this.now();
      summary.pages += 1;
      for (const solution of page) {
        const id = idOrNull(solution.id);
        const status = text(solution.status);
        if (id === null || status === null) {
          summary.invalidEntries += 1;
          continue;
        }
        summary.solutionsSeen += 1;
        const current = await this.deps.solutions.get(id);
        const name = text(solution.name);
        const pending = pendingRequestOf(solution.status_for_pending_request);
        if (
          current !== undefined &&
          current.status === status &&
          current.name === name &&
          current.pendingRequest === pending
        ) {
          continue;
        }
        const reading: SolutionEvent = {
          solutionId: id,
          status,
          event: 'RECONCILED',
          businessId: this.deps.identity.businessId || null,
          timeMs: observedAt,
          eventId: eventIdOf({ solutionId: id, status, name, pending, observedAt }),
          source: 'reconciliation',
          name,
          pendingRequest: pending,
        };
        await this.deps.solutions.apply(reading);
        if (current?.status !== status) summary.solutionsChanged += 1;
      }
      if (this.outOfTime(deadline, summary)) return false;
    }
    return true;
  }

  private publish(summary: ReconcileSummary): void {
    const { telemetry } = this.deps;
    telemetry.count('ReconcilePages', summary.pages, undefined, true);
    telemetry.count('WabasSeen', summary.wabasSeen, undefined, true);
    telemetry.count('WabasDiscovered', summary.wabasDiscovered, undefined, true);
    telemetry.count('WabasBaselined', summary.wabasBaselined);
    telemetry.count('SolutionsChanged', summary.solutionsChanged, undefined, true);
    telemetry.count('GraphRetries', summary.retries, undefined, true);
    telemetry.count('ReconcilePartial', summary.complete ? 0 : 1, undefined, true);
    telemetry.milliseconds('ReconcileDurationMs', summary.durationMs);
    telemetry.logger.info('reconciliation finished', { ...summary });
  }
}
