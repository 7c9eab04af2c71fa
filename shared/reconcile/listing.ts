/** What reconciliation reads from Graph, and how it pages through it. */

export interface GraphWaba {
  id?: unknown;
  name?: unknown;
  timezone_id?: unknown;
  business_type?: unknown;
  message_template_namespace?: unknown;
}

export interface GraphSolution {
  id?: unknown;
  name?: unknown;
  status?: unknown;
  status_for_pending_request?: unknown;
}

export const WABA_FIELDS = 'id,name,timezone_id,business_type,message_template_namespace';
export const SOLUTION_FIELDS = 'id,name,status,status_for_pending_request';
export const PAGE_SIZE = '100';

/**
 * Asks for the next page as soon as the current one is handed out, so writing a page overlaps fetching
 * the next and a run costs about its paging time.
 */
export async function* prefetched<T>(source: AsyncGenerator<T>): AsyncGenerator<T> {
  let next = source.next();
  for (;;) {
    const current = await next;
    if (current.done === true) return;
    next = source.next();
    // Stopping early (time budget) leaves this request unread: its failure must not go unhandled.
    next.catch(() => undefined);
    yield current.value;
  }
}

export const text = (value: unknown): string | null =>
  typeof value === 'string' && value !== ''
    ? value
    : value === undefined || value === null
      ? null
      : String(value);

/** The partner filter exactly as the reference documents it. */
export const partnerFilter = (partnerBusinessId: string): string =>
  JSON.stringify([{ field: 'partners', operator: 'ALL', value: [partnerBusinessId] }]);
