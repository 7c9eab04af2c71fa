import { BadRequestError } from '../errors.js';
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

export const pathParameter = (event: HttpApiEvent, name: string): string => {
  const value = event.pathParameters?.[name];
  if (value === undefined || value === '') throw new BadRequestError(`missing path parameter ${name}`);
  return decodeURIComponent(value);
};

export const queryParameter = (event: HttpApiEvent, name: string): string | undefined => {
  const value = event.queryStringParameters?.[name];
  return value === undefined || value === '' ? undefined : value;
};

/** Parses an optional JSON object body; anything else is a 400 that names the problem. */
export const jsonObjectBody = (event: HttpApiEvent): Record<string, unknown> => {
  const raw = rawBodyBytes(event).toString('utf8').trim();
  if (raw === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new BadRequestError('body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new BadRequestError('body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
};
