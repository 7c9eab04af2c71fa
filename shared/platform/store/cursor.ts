import { BadRequestError } from '../../kernel/errors.js';
import { isMetaId } from '../../kernel/ids.js';
import { parseJsonObject } from '../../kernel/json.js';
import type { Item } from '../../kernel/registers.js';

/** Longer than any cursor this API returns: anything longer was not made here. */
const MAX_CURSOR_LENGTH = 512;

const notOurs = () => new BadRequestError('cursor is not one this API returned');

/** A cursor is the JSON of a position, base64url-encoded: opaque to clients, readable in logs. */
export const encodeCursor = (position: Record<string, unknown>): string =>
  Buffer.from(JSON.stringify(position)).toString('base64url');

export const decodeCursor = (cursor: string): Record<string, unknown> => {
  if (cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw notOurs();
  const position = parseJsonObject(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (position === undefined) throw notOurs();
  return position;
};

/**
 * A table position from a client's cursor, checked so strictly that a forged or altered cursor is a 400 and
 * never reaches DynamoDB: exactly the key attributes of the table (or index), the fixed ones (a query's partition
 * key) equal to the query's, which the caller validated (a state name, say), and every other a Meta ID (or what the
 * table's keys may be, `isKeyValue`).
 */
export const keyFromCursor = (
  cursor: string,
  keyNames: readonly string[],
  fixed: Readonly<Record<string, string>> = {},
  isKeyValue: (value: unknown) => boolean = isMetaId,
): Item => {
  const position = decodeCursor(cursor);
  const names = Object.keys(position).sort();
  const expected = [...new Set(keyNames)].sort();
  if (names.join() !== expected.join()) throw notOurs();
  for (const name of names) {
    const value = position[name];
    const wanted = fixed[name];
    if (wanted === undefined ? !isKeyValue(value) : wanted !== value) throw notOurs();
  }
  return position;
};
