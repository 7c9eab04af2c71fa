import { SwitchboardError } from '../errors.js';
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
 * The one mapping from errors to HTTP answers. Typed errors keep their status and details; anything
 * else is an unexpected failure and answers 500 without leaking internals (the caller logs it).
 */
export const toErrorResponse = (error: unknown): HttpResult => {
  if (error instanceof SwitchboardError) {
    return json(error.status, { error: error.code, message: error.message, ...(error.details ?? {}) });
  }
  return json(500, { error: 'internal_error', message: 'unexpected error; see the function logs' });
};
