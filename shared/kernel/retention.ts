/**
 * How long Switchboard keeps personal data, and the one rule that ties the periods together. Read by the stack
 * (`switchboard:*` context), by local mode (environment) and by the functions that enforce or report them.
 */
export interface Retention {
  /** Days an archived delivery is kept (replay reaches back this far). */
  archiveDays: number;
  /** Days a delivery whose every change is passthrough is kept; null: it is not archived at all. */
  passthroughDays: number | null;
  /** Days an item naming a person lives after its last write; null: it never expires. */
  idleDays: number | null;
}

export const DEFAULT_RETENTION: Retention = { archiveDays: 35, passthroughDays: 7, idleDays: 60 };

/** Meta retries a delivery it could not hand over for up to 7 days (WhatsApp; 36 h by another page). */
export const META_RETRY_DAYS = 7;
/** Every queue and DLQ keeps a message 14 days (SQS's maximum), counted from its first enqueue. */
export const QUEUE_RETENTION_DAYS = 14;

/**
 * How long after it happened an event can still reach a consumer: Meta's retries, then the longest of the
 * archive (a replay) and the queues (a message waiting, or in a DLQ).
 */
export const lateEventDays = (retention: Retention): number =>
  META_RETRY_DAYS + Math.max(retention.archiveDays, retention.passthroughDays ?? 0, QUEUE_RETENTION_DAYS);

/**
 * How long an erased user's tombstones stay: until no event from before the erasure can arrive. With idle
 * expiry they live as long as an idle item (a later write keeps them, as it keeps any item).
 */
export const tombstoneDays = (retention: Retention): number =>
  Math.max(retention.idleDays ?? 0, lateEventDays(retention));

/**
 * What is wrong with a retention: an idle period shorter than an event can be late would let a late event
 * rebuild a thread from facts older than the ones that expired (`docs/personal-data.md`).
 */
export const retentionProblems = (retention: Retention): string[] => {
  const problems: string[] = [];
  const days = (value: number | null) => value === null || (Number.isInteger(value) && value >= 1);
  if (!days(retention.archiveDays))
    problems.push('the archive retention must be a whole number of days >= 1');
  if (!days(retention.passthroughDays)) problems.push('the passthrough retention must be none or days >= 1');
  if (!days(retention.idleDays)) problems.push('the idle period must be none or days >= 1');
  const late = lateEventDays(retention);
  if (retention.idleDays !== null && retention.idleDays < late)
    problems.push(
      `the idle period (${retention.idleDays} days) must be at least ${late} days: ${META_RETRY_DAYS} days of Meta's retries plus the longest of the archive, passthrough and queue retention`,
    );
  return problems;
};

/** `none` or a whole number of days (settings and environment alike); throws a message naming the value. */
export const parseDays = (raw: string): number | null => {
  const text = raw.trim();
  if (text === 'none') return null;
  if (!/^[0-9]{1,5}$/.test(text) || Number(text) < 1)
    throw new Error(`must be none or days >= 1, got "${raw}"`);
  return Number(text);
};

export const DAY_SECONDS = 86_400;
