import { backoffDelay, sleep as realSleep } from '../../kernel/async.js';
import { currentDeadline } from '../../kernel/deadline.js';
import { errorMessage } from '../../kernel/errors.js';
import { isRecord, parseJsonObject } from '../../kernel/json.js';
import {
  GraphApiError,
  GraphAuthError,
  GraphBudgetExhaustedError,
  type GraphErrorBody,
  GraphLinkRefusedError,
  GraphOutcomeUnknownError,
  isThrottled,
  isTransientGraphError,
  neverSent,
  noGraphBody,
  parseGraphError,
} from './errors.js';
import { SAFE_SEGMENT, VERSIONED } from './paths.js';

export type TokenSource = (forceFetch: boolean) => Promise<string>;

export interface GraphClientOptions {
  /** Base URL with the version, e.g. `https://graph.facebook.com/v26.0`. */
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

export { graphPath } from './paths.js';

export interface GraphRequest {
  method?: 'GET' | 'POST' | 'DELETE';
  /** A path under the base URL (`/123/accept`), or an absolute `paging.next` URL from the same origin. */
  path: string;
  query?: Record<string, string | undefined>;
  /** A JSON body (`thread_control`, `register`, ...): sent as `application/json`. */
  body?: Record<string, unknown>;
  /** Overrides the client's token source (page access tokens, a customer's business token). */
  token?: TokenSource;
}

interface AttemptFailure {
  status: number;
  message: string;
  waitMs: number;
  transient: boolean;
  graph?: GraphErrorBody;
  /** The request never reached Meta (no connection was made). */
  unsent?: boolean;
}

/**
 * A 200 that is not a result: a body that is not a JSON object (a proxy's page) is a refusal to report, not
 * ours to misread; a POST answered `{"success": false}` did not happen. Neither is retried or recorded.
 */
const unusableAnswer = (status: number, body: unknown): AttemptFailure | undefined => {
  const message =
    body === undefined
      ? `Graph answered ${status} with a body that is not a JSON object`
      : isRecord(body) && body.success === false
        ? `Graph answered ${status} with {"success": false}: Meta did not act`
        : undefined;
  return message === undefined
    ? undefined
    : { status, message, waitMs: 0, transient: false, graph: noGraphBody(message) };
};

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
    const usage = (parseJsonObject(raw) ?? {}) as Record<
      string,
      { estimated_time_to_regain_access?: unknown }[]
    >;
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
  private readonly basePath: string;
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
    this.basePath = new URL(this.options.baseUrl).pathname.replace(/\/+$/, '');
  }

  public url(path: string, query: Record<string, string | undefined> = {}): URL {
    const absolute = /^https?:\/\//.test(path);
    if (!absolute && !path.split('/').every((segment) => segment === '' || SAFE_SEGMENT.test(segment))) {
      throw new Error(`refusing a Graph API path that is not plain segments: ${JSON.stringify(path)}`);
    }
    const url = absolute
      ? new URL(path)
      : new URL(`${this.options.baseUrl}${path.startsWith('/') ? path : `/${path}`}`);
    // Never send a token to another host, or outside a versioned Graph path, whatever a paging link says.
    // A link from Meta's answer that does so is Meta's fault (502); a path we built is ours (500).
    const refuse = (reason: string) => (absolute ? new GraphLinkRefusedError(reason) : new Error(reason));
    if (url.origin !== this.origin) throw refuse(`refusing to follow a Graph API link to ${url.origin}`);
    if (!url.pathname.startsWith(`${this.basePath}/`) && !(absolute && VERSIONED.test(url.pathname))) {
      throw refuse(`refusing a Graph API path outside ${this.basePath || 'the API'}: ${url.pathname}`);
    }
    for (const [name, value] of Object.entries(query))
      if (value !== undefined) url.searchParams.set(name, value);
    return url;
  }

  public async request<T = unknown>(request: GraphRequest): Promise<T> {
    const { options } = this;
    const tokenSource = request.token ?? options.token;
    const url = this.url(request.path, request.query);
    const label = `${request.method ?? 'GET'} ${url.pathname}`;
    const deadline = this.deadline();
    let token = await tokenSource(false);
    let refreshed = false;
    for (let attempt = 0; ; attempt++) {
      const timeoutMs = this.attemptTimeout(deadline, label);
      this.stats.requests += 1;
      const outcome = await this.attempt(url, request, token, timeoutMs);
      if (outcome.ok) return outcome.body as T;
      const { failure } = outcome;
      if (failure.graph?.code === 190) {
        if (refreshed) throw new GraphAuthError(failure.status, failure.graph, url.pathname);
        refreshed = true;
        // Outside any retry: a token source that fails (secret store down) is not a network error.
        token = await tokenSource(true);
        continue;
      }
      if (!failure.transient) {
        throw new GraphApiError(failure.status, failure.graph ?? noGraphBody(failure.message), url.pathname);
      }
      // A write Meta may have applied is never sent again: the caller settles it by reading Meta.
      if (
        request.method !== undefined &&
        request.method !== 'GET' &&
        !failure.unsent &&
        !isThrottled(failure.status, failure.graph)
      ) {
        throw new GraphOutcomeUnknownError(label, failure.message);
      }
      if (attempt + 1 >= options.maxAttempts) {
        const graph = failure.graph ?? noGraphBody(failure.message);
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
      if (deadline !== undefined && options.now() + waitMs >= deadline) {
        throw new GraphBudgetExhaustedError(label, failure.message);
      }
      this.stats.retries += 1;
      await options.sleep(waitMs);
    }
  }

  /** The earlier of the client's deadline and the deadline of the invocation in progress, if any. */
  private deadline(): number | undefined {
    const candidates = [this.options.deadline, currentDeadline()].filter(
      (value): value is number => value !== undefined,
    );
    return candidates.length === 0 ? undefined : Math.min(...candidates);
  }

  /** One request may not outlive the deadline either; none starts once it has passed. */
  private attemptTimeout(deadline: number | undefined, label: string): number {
    const { requestTimeoutMs, now } = this.options;
    if (deadline === undefined) return requestTimeoutMs;
    const left = deadline - now();
    if (left <= 0) throw new GraphBudgetExhaustedError(label, 'no time left for another request');
    return Math.min(requestTimeoutMs, left);
  }

  private async attempt(
    url: URL,
    request: Pick<GraphRequest, 'method' | 'body'>,
    token: string,
    timeoutMs: number,
  ): Promise<{ ok: true; body: unknown } | { ok: false; failure: AttemptFailure }> {
    let response: Response;
    let body: unknown;
    try {
      response = await this.options.fetch(url, {
        method: request.method ?? 'GET',
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      // Meta may send IDs as bare numbers: long ones are kept exact, never rounded past 2^53.
      body = await response.text().then(
        (text) => parseJsonObject(text),
        () => undefined,
      );
    } catch (error) {
      // Network errors and timeouts: Meta may not have seen the request, or may have. A connection that was
      // never made is the one case where it certainly did not.
      const failure = { status: 0, message: errorMessage(error), waitMs: 0, transient: true };
      return { ok: false, failure: { ...failure, unsent: neverSent(error) } };
    }
    const hasError = typeof body === 'object' && body !== null && 'error' in body;
    const unusable = response.ok && !hasError ? unusableAnswer(response.status, body) : undefined;
    if (unusable !== undefined) return { ok: false, failure: unusable };
    if (response.ok && !hasError) return { ok: true, body };
    const { graph, transientFlag } = parseGraphError(body, response.status);
    return {
      ok: false,
      failure: {
        status: response.status,
        message: graph.message,
        waitMs: regainAccessDelayMs(response.headers),
        graph,
        transient: isTransientGraphError(response.status, graph, transientFlag),
      },
    };
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
