import { backoffDelay, sleep as realSleep } from '../util/async.js';
import {
  GraphApiError,
  GraphAuthError,
  GraphBudgetExhaustedError,
  type GraphErrorBody,
  isTransientGraphError,
  parseGraphError,
} from './errors.js';

export type TokenSource = (forceFetch: boolean) => Promise<string>;

export interface GraphClientOptions {
  /** Base URL with the version, e.g. `https://graph.facebook.com/v21.0`. */
  baseUrl: string;
  token: TokenSource;
  /** Absolute epoch ms past which no retry wait may end (the run's time budget). */
  deadline?: number;
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  requestTimeoutMs?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

export interface GraphRequest {
  method?: 'GET' | 'POST';
  /** A path under the base URL (`/123/accept`), or an absolute `paging.next` URL from the same origin. */
  path: string;
  query?: Record<string, string | undefined>;
  /** Overrides the client's token source (page access tokens). */
  token?: TokenSource;
}

export interface GraphStats {
  requests: number;
  retries: number;
}

const REGAIN_HEADER = 'x-business-use-case-usage';

/**
 * Minutes Meta says to wait before a throttled business use case works again, from
 * `X-Business-Use-Case-Usage` (`{ "<business id>": [{ "estimated_time_to_regain_access": n }] }`).
 */
export const regainAccessDelayMs = (headers: Headers): number => {
  const raw = headers.get(REGAIN_HEADER);
  if (raw === null) return 0;
  try {
    const usage = JSON.parse(raw) as Record<string, { estimated_time_to_regain_access?: unknown }[]>;
    let minutes = 0;
    for (const entries of Object.values(usage)) {
      for (const entry of Array.isArray(entries) ? entries : []) {
        const value = Number(entry.estimated_time_to_regain_access ?? 0);
        if (Number.isFinite(value)) minutes = Math.max(minutes, value);
      }
    }
    return minutes * 60_000;
  } catch {
    return 0;
  }
};

/**
 * A small Graph API client on `fetch`: bearer token, retries of what is transient (network errors, 5xx,
 * 429, throttling codes) with capped full-jitter backoff that honours Meta's regain-access estimate
 * within the deadline, and one re-read of the token on code 190 before failing loudly.
 */
export class GraphClient {
  public readonly stats: GraphStats = { requests: 0, retries: 0 };
  private readonly origin: string;
  private readonly options: Required<Omit<GraphClientOptions, 'deadline'>> & { deadline: number | undefined };

  public constructor(options: GraphClientOptions) {
    this.options = {
      maxAttempts: 6,
      baseDelayMs: 500,
      maxDelayMs: 30_000,
      requestTimeoutMs: 15_000,
      fetch: globalThis.fetch.bind(globalThis),
      sleep: realSleep,
      random: Math.random,
      now: Date.now,
      ...options,
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
      deadline: options.deadline,
    };
    this.origin = new URL(this.options.baseUrl).origin;
  }

  public url(path: string, query: Record<string, string | undefined> = {}): URL {
    const url = /^https?:\/\//.test(path)
      ? new URL(path)
      : new URL(`${this.options.baseUrl}${path.startsWith('/') ? path : `/${path}`}`);
    // Never send a token to another host, whatever a paging link says.
    if (url.origin !== this.origin) throw new Error(`refusing to follow a Graph API link to ${url.origin}`);
    for (const [name, value] of Object.entries(query))
      if (value !== undefined) url.searchParams.set(name, value);
    return url;
  }

  public async request<T = unknown>(request: GraphRequest): Promise<T> {
    const { options } = this;
    const tokenSource = request.token ?? options.token;
    const url = this.url(request.path, request.query);
    const label = `${request.method ?? 'GET'} ${url.pathname}`;
    let token = await tokenSource(false);
    let refreshed = false;
    for (let attempt = 0; ; attempt++) {
      this.stats.requests += 1;
      let failure: { status: number; message: string; waitMs: number; graph?: GraphErrorBody };
      try {
        const response = await options.fetch(url, {
          method: request.method ?? 'GET',
          headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
          signal: AbortSignal.timeout(options.requestTimeoutMs),
        });
        const body: unknown = await response.json().catch(() => undefined);
        const hasError = typeof body === 'object' && body !== null && 'error' in body;
        if (response.ok && !hasError) return body as T;
        const { graph, transientFlag } = parseGraphError(body, response.status);
        if (graph.code === 190) {
          if (refreshed) throw new GraphAuthError(response.status, graph, url.pathname);
          refreshed = true;
          token = await tokenSource(true);
          continue;
        }
        if (!isTransientGraphError(response.status, graph, transientFlag))
          throw new GraphApiError(response.status, graph, url.pathname);
        failure = {
          status: response.status,
          message: graph.message,
          waitMs: regainAccessDelayMs(response.headers),
          graph,
        };
      } catch (error) {
        if (
          error instanceof GraphApiError ||
          (error instanceof Error && error.message.startsWith('refusing'))
        )
          throw error;
        failure = { status: 0, message: error instanceof Error ? error.message : String(error), waitMs: 0 };
      }
      if (attempt + 1 >= options.maxAttempts) {
        const graph = failure.graph ?? {
          message: failure.message,
          type: null,
          code: null,
          error_subcode: null,
          fbtrace_id: null,
        };
        throw new GraphApiError(
          failure.status,
          { ...graph, message: `${graph.message} (gave up after ${attempt + 1} attempts)` },
          url.pathname,
        );
      }
      const waitMs = Math.max(
        failure.waitMs,
        backoffDelay(attempt, options.baseDelayMs, options.maxDelayMs, options.random),
      );
      if (options.deadline !== undefined && options.now() + waitMs >= options.deadline) {
        throw new GraphBudgetExhaustedError(label, failure.message);
      }
      this.stats.retries += 1;
      await options.sleep(waitMs);
    }
  }

  /** Every page of a list: follows `paging.next` until Meta sends none (a short page proves nothing). */
  public async *pages<T>(
    path: string,
    query: Record<string, string | undefined> = {},
    token?: TokenSource,
  ): AsyncGenerator<T[]> {
    let next: GraphRequest | undefined = { path, query, ...(token === undefined ? {} : { token }) };
    while (next !== undefined) {
      const page: { data?: T[]; paging?: { next?: string } } = await this.request(next);
      yield Array.isArray(page.data) ? page.data : [];
      const link = page.paging?.next;
      next =
        typeof link === 'string' && link !== ''
          ? { path: link, ...(token === undefined ? {} : { token }) }
          : undefined;
    }
  }
}
