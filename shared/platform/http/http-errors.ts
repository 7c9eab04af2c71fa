import { createHash } from 'node:crypto';
import type { MiddlewareObj } from '@middy/core';
import { errorMessage } from '../../kernel/errors.js';
import type { Telemetry } from '../observability/telemetry.js';
import { toErrorResponse } from './response.js';
import type { HttpApiEvent, HttpResult } from './types.js';

const isHttpApiEvent = (event: unknown): event is HttpApiEvent =>
  typeof event === 'object' && event !== null && 'requestContext' in event && 'routeKey' in event;

export const userRef = (userId: string): string =>
  `user#${createHash('sha256').update(userId).digest('hex').slice(0, 12)}`;

const decodedOrRaw = (value: string): string => {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
};

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * PSIDs and IGSIDs identify people: log lines name them only by a short hash (the caller's answer still
 * names the ID it sent). The path may hold the ID percent-encoded while messages name it decoded, so both
 * forms are replaced, and only where they stand alone (not inside a longer number).
 */
const userIdRedactor = (event: HttpApiEvent): ((text: string) => string) => {
  const raw = event.pathParameters?.userId ?? '';
  if (raw === '') return (text) => text;
  const userId = decodedOrRaw(raw);
  const forms = [...new Set([raw, userId])].filter((form) => form !== '');
  const pattern = new RegExp(`(?<![0-9])(?:${forms.map(escapeRegExp).join('|')})(?![0-9])`, 'g');
  const ref = userRef(userId);
  return (text) => text.replace(pattern, ref);
};

/** Answers that are Switchboard's own fault (a bug, or a dependency of ours down): they page someone. */
export const isServerFault = (status: number): boolean => status === 500 || status === 503;

export interface HttpErrorOptions {
  /** Extra accounting per refused request (the webhook counts rejected deliveries by reason). */
  onRefused?(event: HttpApiEvent, error: unknown, response: HttpResult): void;
}

/**
 * The one place an HTTP-facing function turns an error into an answer: the typed error's status and JSON
 * body (`toErrorResponse`), a log line (ERROR with the cause for 5xx, WARN otherwise), and the
 * `HttpServerErrors` metric for the answers that are our fault — not Meta's refusals (502) or its
 * slowness (504), which are the caller's news, not an operator's page.
 */
export const httpErrors = <E, R>(
  telemetry: Telemetry,
  options: HttpErrorOptions = {},
): MiddlewareObj<E, R> => ({
  onError: async (request) => {
    const { error, event } = request;
    // A function that also consumes a queue (actions) lets non-HTTP failures propagate.
    if (!isHttpApiEvent(event)) return;
    const response = toErrorResponse(error);
    const redact = userIdRedactor(event);
    const log = {
      routeKey: event.routeKey,
      status: response.statusCode,
      error: redact(errorMessage(error)),
      ...(error instanceof Error && error.cause !== undefined
        ? { cause: redact(errorMessage(error.cause)) }
        : {}),
    };
    if (response.statusCode >= 500) telemetry.logger.error('request failed', log);
    else telemetry.logger.warn('request refused', log);
    if (isServerFault(response.statusCode)) telemetry.count('HttpServerErrors');
    options.onRefused?.(event, error, response);
    request.response = response as R;
  },
});
