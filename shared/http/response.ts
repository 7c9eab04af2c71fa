import { SwitchboardError } from '../errors.js';
import { GraphApiError, GraphBudgetExhaustedError } from '../graph/errors.js';
import type { HttpResult } from './types.js';

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };

export const json = (statusCode: number, body: unknown): HttpResult => ({
  statusCode,
  headers: JSON_HEADERS,
  body: JSON.stringify(body),
});

export const text = (statusCode: number, body: string): HttpResult => ({
  statusCode,
  headers: { 'content-type': 'text/plain; charset=utf-8' },
  body,
});

/**
 * The one mapping from errors to HTTP answers. Typed errors keep their status and details; Meta's
 * refusals answer 502 with Meta's own code, subcode, message and trace ID; anything else is unexpected
 * and answers 500 without leaking internals (the caller logs it).
 */
export const toErrorResponse = (error: unknown): HttpResult => {
  if (error instanceof SwitchboardError) {
    return json(error.status, { error: error.code, message: error.message, ...(error.details ?? {}) });
  }
  if (error instanceof GraphApiError) {
    const { graph } = error;
    return json(502, {
      error: 'meta_refused',
      message: graph.message,
      code: graph.code,
      error_subcode: graph.error_subcode,
      type: graph.type,
      fbtrace_id: graph.fbtrace_id,
      status: error.status,
    });
  }
  if (error instanceof GraphBudgetExhaustedError) {
    return json(504, {
      error: 'meta_unavailable',
      message: `Meta did not answer in time (${error.lastError}); it may or may not have acted: read the item again (threads: ?refresh=true) before retrying`,
    });
  }
  return json(500, { error: 'internal_error', message: 'unexpected error; see the function logs' });
};
