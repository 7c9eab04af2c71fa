/** How reconciliation pages through a Graph listing, and what a domain's pass counts into. */

export const PAGE_SIZE = '100';

export const text = (value: unknown): string | null =>
  typeof value === 'string' && value !== ''
    ? value
    : value === undefined || value === null
      ? null
      : String(value);

/** The partner filter exactly as the reference documents it. */
export const partnerFilter = (partnerBusinessId: string): string =>
  JSON.stringify([{ field: 'partners', operator: 'ALL', value: [partnerBusinessId] }]);

/** One page of a Graph listing and the link to the page after it (undefined on the last page). */
export interface ListingPage<T> {
  items: T[];
  next: string | undefined;
  /** When its request was sent: the page is Meta's state at some instant after it (a reading's time). */
  takenAt: number;
}

interface GraphPage<T> {
  data?: T[];
  paging?: { next?: unknown };
}

/** Query parameters that carry credentials: Graph repeats the original call's parameters in `paging.next`. */
const CREDENTIAL_PARAMETERS = ['access_token', 'appsecret_proof', 'appsecret_time'];

/**
 * A next-page link without the credentials Meta may have echoed into it: the link is stored in the checkpoint
 * and shown by `GET /v1/reconcile`, and the client authenticates with its own header anyway.
 */
export const withoutCredentials = (link: string): string => {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return link; // not a URL: the client refuses to follow it
  }
  if (!CREDENTIAL_PARAMETERS.some((name) => url.searchParams.has(name))) return link;
  for (const name of CREDENTIAL_PARAMETERS) url.searchParams.delete(name);
  return url.toString();
};

/**
 * Pages of a Graph listing from its first request or from a saved next link, asking for the next page while
 * the current one is processed (a run costs about its paging time), but only while `keepGoing()`: a run
 * that stops never leaves a fetched page unprocessed, so its checkpoint's link is a page no one has read.
 */
export async function* resumablePages<T>(
  fetchPage: (link: string | undefined) => Promise<GraphPage<T>>,
  from: string | undefined,
  keepGoing: () => boolean,
  now: () => number = Date.now,
): AsyncGenerator<ListingPage<T>> {
  let takenAt = now();
  let pending: Promise<GraphPage<T>> | undefined = fetchPage(from);
  while (pending !== undefined) {
    const page: GraphPage<T> = await pending;
    const pageTakenAt = takenAt;
    const link =
      typeof page.paging?.next === 'string' && page.paging.next !== ''
        ? withoutCredentials(page.paging.next)
        : undefined;
    takenAt = now();
    pending = link !== undefined && keepGoing() ? fetchPage(link) : undefined;
    // A consumer that stops early leaves this request unread: its failure must not go unhandled.
    pending?.catch(() => undefined);
    yield { items: Array.isArray(page.data) ? page.data : [], next: link, takenAt: pageTakenAt };
  }
}

/** Where a domain's reconciliation pass counts what it saw (a run's summary and its sweep's checkpoint). */
export interface PassTally<K extends string> {
  count(key: K, amount?: number): void;
  /** A per-object Graph error, by its code. */
  error(code: string): void;
  /** True during the first full sweep: what it finds is the baseline, not drift. */
  readonly baseline: boolean;
}
