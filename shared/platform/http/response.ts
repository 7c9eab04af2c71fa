import { NotFoundError, SwitchboardError } from '../../kernel/errors.js';
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
 * The one mapping from errors to HTTP answers: a typed error answers its own status and body (Meta's
 * refusals included, see `GraphApiError`); anything else is unexpected and answers 500 without leaking
 * internals (`httpErrors` logs it).
 */
export const toErrorResponse = (error: unknown): HttpResult =>
  error instanceof SwitchboardError
    ? json(error.status, error.body())
    : json(500, { error: 'internal_error', message: 'unexpected error; see the function logs' });

/** 200 with the item, or 404 naming what is not known. */
export const found = <T>(value: T | undefined, what: string): HttpResult => {
  if (value === undefined) throw new NotFoundError(`${what} is not known`);
  return json(200, value);
};
