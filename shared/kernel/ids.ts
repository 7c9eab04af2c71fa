/**
 * The one rule for a Meta ID (solution, WABA, business, app, page, PSID, IGSID) at every edge: a string of
 * 1 to 32 ASCII decimal digits. Meta's IDs are 15 to 20 digits today; 32 leaves room and stays far below
 * DynamoDB's key limits. Anything else (`me/feed`, `..`, `#page`, `__proto__`, `1e400`) is not an ID, so it
 * can never reach a Graph path, a table key or an object key. Each edge turns a failure into its own error
 * (400, an invalid event, a skipped Graph entry) through thin adapters; the rule itself lives only here.
 */
const META_ID = /^[0-9]{1,32}$/;

export const MAX_META_ID_LENGTH = 32;

export const isMetaId = (value: unknown): value is string => typeof value === 'string' && META_ID.test(value);

/**
 * The ID a payload holds, or null: a string of digits (surrounding spaces tolerated), or a JSON number
 * that is a safe integer. A larger number has already lost digits in `JSON.parse` and is refused.
 */
export const metaIdOrNull = (value: unknown): string | null => {
  if (typeof value === 'string') {
    const trimmed = value.trim();
    return isMetaId(trimmed) ? trimmed : null;
  }
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  return null;
};
