import { SwitchboardError } from '../../kernel/errors.js';
import { isRecord } from '../../kernel/json.js';

/**
 * Meta's error object, surfaced as is: message, code, subcode, type and trace ID, and the text Meta writes
 * for people (`error_user_title`, `error_user_msg`) and WhatsApp's `error_data.details` when it sends them.
 */
export interface GraphErrorBody {
  message: string;
  type: string | null;
  code: number | null;
  error_subcode: number | null;
  fbtrace_id: string | null;
  error_user_title?: string;
  error_user_msg?: string;
  details?: string;
}

/** The error body of a refusal Meta did not describe itself (no `error` object in its answer). */
export const noGraphBody = (message: string): GraphErrorBody => ({
  message,
  type: null,
  code: null,
  error_subcode: null,
  fbtrace_id: null,
});

/** Meta refused: answered 502 with Meta's own code, subcode, message and trace ID (no state changed). */
export class GraphApiError extends SwitchboardError {
  public constructor(
    public readonly httpStatus: number,
    public readonly graph: GraphErrorBody,
    public readonly path: string,
  ) {
    super(
      502,
      'meta_refused',
      `Graph API ${path} answered ${httpStatus}: ${graph.message} (code ${graph.code ?? '-'}, subcode ${graph.error_subcode ?? '-'}, type ${graph.type ?? '-'}, fbtrace_id ${graph.fbtrace_id ?? '-'})`,
    );
    this.name = 'GraphApiError';
  }

  public override body(): Record<string, unknown> {
    const { graph } = this;
    return {
      error: this.code,
      message: graph.message,
      code: graph.code,
      error_subcode: graph.error_subcode,
      type: graph.type,
      fbtrace_id: graph.fbtrace_id,
      ...(graph.error_user_title === undefined ? {} : { error_user_title: graph.error_user_title }),
      ...(graph.error_user_msg === undefined ? {} : { error_user_msg: graph.error_user_msg }),
      ...(graph.details === undefined ? {} : { details: graph.details }),
      status: this.httpStatus,
    };
  }
}

/** Code 190 again after reading the secret once more: the token itself is bad. */
export class GraphAuthError extends GraphApiError {
  public constructor(status: number, graph: GraphErrorBody, path: string) {
    super(status, graph, path);
    this.name = 'GraphAuthError';
    this.message = `access token refused after re-reading the secret: ${this.message}`;
  }
}

/** Meta's answer pointed somewhere no token may go (a paging link to another host or outside a version). */
export class GraphLinkRefusedError extends SwitchboardError {
  public constructor(reason: string) {
    super(502, 'meta_refused', `Graph API answered a link Switchboard will not follow: ${reason}`);
  }
}

/** Waiting for the next attempt would pass the caller's deadline: stop cleanly instead (504). */
export class GraphBudgetExhaustedError extends SwitchboardError {
  public constructor(
    public readonly path: string,
    public readonly lastError: string,
    what = 'Meta did not answer in time',
  ) {
    super(
      504,
      'meta_unavailable',
      `${what} (${lastError}); it may or may not have acted: read the item again (threads: ?refresh=true) before retrying`,
      { path },
    );
    this.name = new.target.name;
  }
}

/**
 * A POST whose outcome is unknown (timed out, connection reset, a 5xx): Meta may have acted. It is never retried
 * on its own, since a second call could act twice; the caller reads Meta's state to learn what happened.
 */
export class GraphOutcomeUnknownError extends GraphBudgetExhaustedError {
  public constructor(path: string, lastError: string) {
    super(path, lastError, `Meta did not confirm ${path}`);
  }
}

/**
 * Codes Meta documents as throttling or temporary: 1, 2, 4, 17, 32, 613, business use case limits
 * (80000-80014, WhatsApp's 80007 and 80008 among them) and WhatsApp's throughput limit 130429.
 */
const TRANSIENT_CODES = new Set([1, 2, 4, 17, 32, 341, 613, 130429]);
const isBusinessUseCaseLimit = (code: number) => code >= 80000 && code <= 80014;

/** Errors of a connection that was never made: the request was not sent. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** True when fetch failed before any byte reached Meta (the system error under `TypeError: fetch failed`). */
export const neverSent = (error: unknown): boolean => {
  const cause = error instanceof Error ? error.cause : undefined;
  if (!(cause instanceof Error)) return false;
  // Several addresses tried at once (happy eyeballs) fail together as an AggregateError.
  const causes = cause instanceof AggregateError ? cause.errors : [cause];
  return causes.every((each: unknown) => isRecord(each) && NOT_CONNECTED.has(String(each.code)));
};

/** Throttling: Meta refused the request before acting on it, so even a POST may be sent again. */
export const isThrottled = (status: number, graph: GraphErrorBody | undefined): boolean => {
  const code = graph?.code;
  if (status === 429) return true;
  if (code === null || code === undefined || code === 1 || code === 2) return false;
  return TRANSIENT_CODES.has(code) || isBusinessUseCaseLimit(code);
};

export const isTransientGraphError = (
  status: number,
  graph: GraphErrorBody | null,
  flagged: boolean,
): boolean => {
  if (status >= 500 || status === 429 || flagged) return true;
  const code = graph?.code;
  return code !== null && code !== undefined && (TRANSIENT_CODES.has(code) || isBusinessUseCaseLimit(code));
};

const numberOrNull = (value: unknown): number | null => {
  const number = typeof value === 'string' ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number) ? number : null;
};

export const parseGraphError = (
  body: unknown,
  status: number,
): { graph: GraphErrorBody; transientFlag: boolean } => {
  const error = isRecord(body) ? body.error : undefined;
  if (!isRecord(error)) {
    return {
      graph: {
        message: `HTTP ${status} without a Graph error body`,
        type: null,
        code: null,
        error_subcode: null,
        fbtrace_id: null,
      },
      transientFlag: false,
    };
  }
  const record = error;
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  const userTitle = text(record.error_user_title);
  const userMessage = text(record.error_user_msg);
  const details = isRecord(record.error_data) ? text(record.error_data.details) : undefined;
  return {
    graph: {
      message: typeof record.message === 'string' ? record.message : 'unknown error',
      type: typeof record.type === 'string' ? record.type : null,
      code: numberOrNull(record.code),
      error_subcode: numberOrNull(record.error_subcode),
      fbtrace_id: typeof record.fbtrace_id === 'string' ? record.fbtrace_id : null,
      ...(userTitle === undefined ? {} : { error_user_title: userTitle }),
      ...(userMessage === undefined ? {} : { error_user_msg: userMessage }),
      ...(details === undefined ? {} : { details }),
    },
    transientFlag: record.is_transient === true,
  };
};
