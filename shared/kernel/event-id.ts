import { createHash } from 'node:crypto';
import { BadRequestError } from './errors.js';

/** Meta's payloads nest a handful of levels; anything this deep is not a Meta payload. */
export const MAX_JSON_DEPTH = 64;

/**
 * Canonical JSON: object keys sorted, no whitespace. Two deliveries of the same change serialize to the
 * same text whatever key order or spacing Meta used, which makes the event ID stable across retries.
 */
export const canonicalJson = (value: unknown, depth = 0): string => {
  if (depth > MAX_JSON_DEPTH) throw new BadRequestError(`JSON nesting exceeds ${MAX_JSON_DEPTH} levels`);
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item, depth + 1)).join(',')}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key], depth + 1)}`).join(',')}}`;
};

export const sha256Hex = (text: string | Buffer): string => createHash('sha256').update(text).digest('hex');

/** Deterministic event ID: the hash of the change's canonical content (not of its arrival). */
export const eventIdOf = (content: unknown): string => sha256Hex(canonicalJson(content)).slice(0, 40);
