import { mapWithConcurrency } from '../../kernel/async.js';
import { currentDeadline, withDeadline } from '../../kernel/deadline.js';
import { eventIdOf } from '../../kernel/event-id.js';
import { idOrNull } from '../../kernel/fields.js';
import type { Item } from '../../kernel/registers.js';
import { type GraphClient, graphPath } from '../../platform/graph/client.js';
import { GraphApiError, GraphAuthError, GraphBudgetExhaustedError } from '../../platform/graph/errors.js';
import { type PassTally, text } from '../../platform/graph/listing.js';
import type { Telemetry } from '../../platform/observability/telemetry.js';
import type { GraphSolution } from '../solutions/reconcile.js';
import type { WabaRepository } from './repository.js';
import { isKnownWaba, projectWaba, reconciledFields } from './view.js';
import type { ReconciledFields, WabaObservation } from './waba.js';

/** A customer WABA as `GET /<BUSINESS_ID>/client_whatsapp_business_accounts` lists it. */
export interface GraphWaba {
  id?: unknown;
  name?: unknown;
  timezone_id?: unknown;
  business_type?: unknown;
  message_template_namespace?: unknown;
}

export const WABA_FIELDS = 'id,name,timezone_id,business_type,message_template_namespace';

const WRITE_CONCURRENCY = 10;
/** One WABA's lookup may take this long, retries included, before it is deferred to the next sweep. */
const LOOKUP_BUDGET_MS = 20_000;

const sameFields = (stored: ReturnType<typeof reconciledFields>, observation: WabaObservation): boolean =>
  stored !== undefined &&
  stored.name === observation.name &&
  stored.timezoneId === observation.timezoneId &&
  stored.businessType === observation.businessType &&
  stored.messageTemplateNamespace === observation.messageTemplateNamespace &&
  stored.partnerBusinessId === observation.partnerBusinessId &&
  JSON.stringify(stored.solutionIds) === JSON.stringify(observation.solutionIds);

export interface WabasPassDeps {
  graph: GraphClient;
  wabas: WabaRepository;
  telemetry: Telemetry;
  now: () => number;
  tally: PassTally<
    | 'pages'
    | 'wabasSeen'
    | 'invalidEntries'
    | 'solutionLookupsDeferred'
    | 'wabasBaselined'
    | 'wabasDiscovered'
    | 'wabasUpdated'
  >;
  /** `GET /<WABA_ID>/solutions` calls left in this run. */
  lookups: { left: number };
}

/**
 * Which solutions onboarded a WABA (`GET /<WABA_ID>/solutions`). Meta answers per object: a WABA the partner
 * may not read (code 200, 100, ...) is counted by code, logged with its trace ID and skipped, and the WABA is
 * still recorded from the list. Only a refused token stops the run.
 */
const solutionsOf = async (deps: WabasPassDeps, wabaId: string): Promise<string[]> => {
  const ids: string[] = [];
  try {
    const deadline = Math.min(currentDeadline() ?? Number.POSITIVE_INFINITY, deps.now() + LOOKUP_BUDGET_MS);
    await withDeadline(deadline, async () => {
      for await (const page of deps.graph.pages<GraphSolution>(graphPath(wabaId, 'solutions'), {
        fields: 'id',
      })) {
        for (const solution of page) {
          const id = idOrNull(solution.id);
          if (id !== null) ids.push(id);
        }
      }
    });
  } catch (error) {
    if (error instanceof GraphBudgetExhaustedError) {
      // No answer in time (Meta silent for this WABA, or the run's end): it must not hold up the page or the
      // sweep. The WABA is recorded without its solutions, which the next sweep asks for again.
      deps.tally.count('solutionLookupsDeferred');
      deps.telemetry.logger.warn(
        "Meta did not answer in time for one WABA's solutions: asked again next sweep",
        {
          wabaId,
          message: error.message,
        },
      );
      return ids;
    }
    if (!(error instanceof GraphApiError) || error instanceof GraphAuthError) throw error;
    deps.tally.error(String(error.graph.code ?? error.httpStatus));
    deps.telemetry.logger.warn("Meta refused one WABA's solutions: recorded without them", {
      wabaId,
      code: error.graph.code,
      error_subcode: error.graph.error_subcode,
      fbtrace_id: error.graph.fbtrace_id,
      message: error.graph.message,
    });
  }
  return ids;
};

/**
 * The solutions reconciliation records for a WABA: kept from earlier runs, else asked of Meta when no
 * PARTNER_ADDED named one, within the run's lookup allowance (the next run continues).
 */
const solutionIdsFor = async (
  deps: WabasPassDeps,
  wabaId: string,
  item: Item | undefined,
  previous: ReconciledFields | undefined,
): Promise<string[]> => {
  if (previous !== undefined && previous.solutionIds.length > 0) return previous.solutionIds;
  if (projectWaba(item)?.solutionId) return [];
  if (deps.lookups.left <= 0) {
    deps.tally.count('solutionLookupsDeferred');
    return [];
  }
  deps.lookups.left -= 1;
  return solutionsOf(deps, wabaId);
};

/**
 * Records one page of `client_whatsapp_business_accounts`: writes only what differs from what is stored. The
 * readings carry `takenAt`, when the page's request was sent (never when they are written).
 */
export const recordWabaPage = async (
  deps: WabasPassDeps,
  page: readonly GraphWaba[],
  partner: string | null,
  takenAt: number,
): Promise<void> => {
  const observedAt = takenAt;
  const { tally } = deps;
  tally.count('pages');
  const listed = page
    .map((waba) => ({ id: idOrNull(waba.id), waba }))
    .filter((entry): entry is { id: string; waba: GraphWaba } => entry.id !== null);
  tally.count('wabasSeen', listed.length);
  tally.count('invalidEntries', page.length - listed.length);
  const discovered: string[] = [];
  const stored = new Map<string, Item>();
  for (const item of await deps.wabas.items(listed.map((entry) => entry.id)))
    stored.set(String(item.wabaId), item);
  await mapWithConcurrency(listed, WRITE_CONCURRENCY, async ({ id, waba }) => {
    const item = stored.get(id);
    const known = isKnownWaba(item);
    const previous = reconciledFields(item);
    const fields = {
      name: text(waba.name),
      timezoneId: text(waba.timezone_id),
      businessType: text(waba.business_type),
      messageTemplateNamespace: text(waba.message_template_namespace),
      partnerBusinessId: partner,
      solutionIds: await solutionIdsFor(deps, id, item, previous),
    };
    const observation: WabaObservation = {
      type: 'observation',
      wabaId: id,
      timeMs: observedAt,
      eventId: eventIdOf({ wabaId: id, observedAt, ...fields }),
      ...fields,
    };
    if (!known && tally.baseline) tally.count('wabasBaselined');
    else if (!known) tally.count('wabasDiscovered');
    if (known && sameFields(previous, observation)) return;
    await deps.wabas.apply(observation);
    tally.count('wabasUpdated');
    if (!known) discovered.push(id);
  });
  if (discovered.length > 0 && !tally.baseline) {
    // One line per page, not per WABA: a first run over thousands of WABAs must not flood the logs.
    deps.telemetry.logger.warn('WABAs discovered by reconciliation: webhooks were missed', {
      count: discovered.length,
      wabaIds: discovered.slice(0, 25),
    });
  }
};
