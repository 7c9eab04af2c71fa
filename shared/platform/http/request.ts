import { BadRequestError, UnsupportedMediaTypeError } from '../../kernel/errors.js';
import { isMetaId, MAX_META_ID_LENGTH } from '../../kernel/ids.js';
import { parseJsonObject } from '../../kernel/json.js';
import type { HttpApiEvent } from './types.js';

/** Header lookup that ignores case: API Gateway lowercases names, other callers may not. */
export const headerValue = (event: HttpApiEvent, name: string): string | undefined => {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
};

/** The exact bytes the sender signed: base64-decoded when API Gateway encoded them. */
export const rawBodyBytes = (event: HttpApiEvent): Buffer =>
  Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');

/** Decodes percent-encoding once; malformed encoding (`%E0%A4%A`) is the client's mistake, not a crash. */
const decodeOnce = (value: string, what: string): string => {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new BadRequestError(`${what} is not valid percent-encoding`);
  }
};

export const pathParameter = (event: HttpApiEvent, name: string): string => {
  const value = event.pathParameters?.[name];
  if (value === undefined || value === '') throw new BadRequestError(`missing path parameter ${name}`);
  return decodeOnce(value, `path parameter ${name}`);
};

const requireMetaId = (value: string, what: string): string => {
  if (!isMetaId(value)) {
    throw new BadRequestError(`${what} must be a Meta ID: 1 to ${MAX_META_ID_LENGTH} decimal digits`);
  }
  return value;
};

/** A Meta ID from the path, decoded once and validated before anything calls Meta or DynamoDB. */
export const pathId = (event: HttpApiEvent, name: string): string =>
  requireMetaId(pathParameter(event, name), `path parameter ${name}`);

/** A Meta ID from the query string (API Gateway has decoded it). */
export const queryId = (event: HttpApiEvent, name: string): string => {
  const value = queryParameter(event, name);
  if (value === undefined) throw new BadRequestError(`${name} query parameter is required`);
  return requireMetaId(value, `query parameter ${name}`);
};

/** A Meta ID in a JSON body: a string of digits (a number would already have lost digits past 2^53). */
export const bodyId = (body: Record<string, unknown>, name: string): string => {
  const value = body[name];
  if (typeof value !== 'string')
    throw new BadRequestError(`${name} must be a Meta ID given as a string of digits`);
  return requireMetaId(value, name);
};

export const queryParameter = (event: HttpApiEvent, name: string): string | undefined => {
  const value = event.queryStringParameters?.[name];
  return value === undefined || value === '' ? undefined : value;
};

/** `application/json` or a `+json` type, parameters (charset) aside. */
const JSON_MEDIA_TYPE = /^application\/([a-z0-9.+-]+\+)?json\s*(;|$)/i;

/**
 * Parses an optional JSON object body; anything else is a 400 that names the problem, and a body declared as
 * another type (`text/plain`, a form) a 415. No content type at all is taken as JSON (curl, scripts).
 */
export const jsonObjectBody = (event: HttpApiEvent): Record<string, unknown> => {
  const raw = rawBodyBytes(event).toString('utf8').trim();
  if (raw === '') return {};
  const contentType = headerValue(event, 'content-type')?.trim();
  if (contentType !== undefined && contentType !== '' && !JSON_MEDIA_TYPE.test(contentType)) {
    throw new UnsupportedMediaTypeError(contentType.slice(0, 100));
  }
  const body = parseJsonObject(raw);
  if (body === undefined) throw new BadRequestError('body must be a JSON object');
  return body;
};

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 100;

/** `limit` of a paged list: decimal digits only (Number() would also take `1e2`, `0x10` and ` 5`). */
export const pageSize = (event: HttpApiEvent): number => {
  const raw = queryParameter(event, 'limit');
  if (raw === undefined) return DEFAULT_PAGE_SIZE;
  const limit = /^[0-9]{1,3}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new BadRequestError(`limit must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  }
  return limit;
};
