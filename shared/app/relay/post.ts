/**
 * One POST to a destination and what its answer means: delivered (2xx), worth another try later (408, 425, 429,
 * 5xx, a connection error, the timeout), or refused (a redirect, which is never followed, or any other 4xx).
 * The answer's body is never read: it is discarded unread, so nothing a destination says can reach a log or a
 * caller.
 */
export type PostOutcome =
  | { outcome: 'delivered'; status: number; ms: number }
  | { outcome: 'retry'; reason: string; retryAfterSeconds: number | undefined; ms: number }
  | { outcome: 'refused'; reason: string; ms: number };

export interface PostRequest {
  url: string;
  body: Buffer;
  headers: Readonly<Record<string, string>>;
  timeoutMs: number;
}

export type Fetch = typeof fetch;

const RETRIED_STATUSES = new Set([408, 425, 429]);

/** `Retry-After` as seconds from now: delta-seconds or an HTTP date; anything else is ignored. */
export const retryAfterSeconds = (header: string | null, now: number): number | undefined => {
  if (header === null) return undefined;
  const value = header.trim();
  if (/^\d{1,9}$/.test(value)) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) || !/[a-z]/i.test(value) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
};

/**
 * A failed request's reason without its URL or text that might quote one: the error's code (`ECONNREFUSED`,
 * `UND_ERR_CONNECT_TIMEOUT`, ...) or its class.
 */
const reasonOf = (error: unknown): string => {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
    return 'timeout';
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  if (typeof cause?.code === 'string') return cause.code.slice(0, 64);
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') return code.slice(0, 64);
  return error instanceof Error ? error.name : 'request failed';
};

export const postToDestination = async (
  request: PostRequest,
  fetcher: Fetch = fetch,
  now: () => number = Date.now,
): Promise<PostOutcome> => {
  const started = now();
  let response: Response;
  try {
    response = await fetcher(request.url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(request.timeoutMs),
    });
  } catch (error) {
    return { outcome: 'retry', reason: reasonOf(error), retryAfterSeconds: undefined, ms: now() - started };
  }
  const ms = now() - started;
  // Unread: the connection is freed, and nothing the destination wrote is kept.
  await response.body?.cancel().catch(() => undefined);
  const { status } = response;
  if (status >= 200 && status < 300) return { outcome: 'delivered', status, ms };
  if (status >= 500 || RETRIED_STATUSES.has(status)) {
    const after = retryAfterSeconds(response.headers.get('retry-after'), now());
    return { outcome: 'retry', reason: `HTTP ${status}`, retryAfterSeconds: after, ms };
  }
  if ((status >= 300 && status < 400) || response.type === 'opaqueredirect')
    return { outcome: 'refused', reason: `HTTP ${status} (redirects are not followed)`, ms };
  return { outcome: 'refused', reason: `HTTP ${status}`, ms };
};
