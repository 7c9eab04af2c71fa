import { QUEUE_RETENTION_DAYS, type Retention } from '../../kernel/retention.js';
import type { ErasureRecord } from './erasure.js';

/** How long DynamoDB's point-in-time recovery keeps a table's history (the stack enables it). */
export const BACKUP_DAYS = 35;
/** Retention of every function's log group (the stack sets it). */
export const LOG_DAYS = 30;

const day = (epochSeconds: number): string => new Date(epochSeconds * 1000).toISOString().slice(0, 10);

/**
 * What the erasure could not reach, each with the date it ends, in plain words: the answer to "what do you still
 * hold", for the person (Meta's status page) and the operator alike.
 */
export const remainders = (record: ErasureRecord, retention: Retention): string[] => {
  const passthrough =
    retention.passthroughDays === null
      ? 'deliveries no domain takes are not archived'
      : `deliveries no domain takes are kept ${retention.passthroughDays} days`;
  const notes = [
    `The delivery archive keeps webhook deliveries as Meta sent them, for replay after an outage, ${retention.archiveDays} days (${passthrough}); it is not rewritten: deliveries naming this person are deleted by ${day(record.archiveKeptUntil)}. A replay of them changes nothing.`,
    `Messages still queued or in a dead-letter queue expire within ${QUEUE_RETENTION_DAYS} days; none of them can restore the erased data.`,
    `Table backups (point-in-time recovery) keep the tables' history ${BACKUP_DAYS} days; the tables' change streams keep each change 24 hours, and the stored answer of an action sent with an Idempotency-Key is kept 24 hours; logs name people only by a hash and are kept ${LOG_DAYS} days.`,
    'Events published before the erasure were delivered to the systems subscribed to them, which keep their own copies.',
  ];
  if (record.erased > 0)
    notes.unshift(
      `Until ${day(record.tombstonesUntil)} a tombstone (the conversation's IDs and the erasure time, nothing else) refuses every late or replayed event about this person; then it expires too.`,
    );
  if (record.requestedBy === 'meta')
    notes.unshift(
      "Meta's request names an app-scoped user ID (Facebook Login). Switchboard keys conversations by page-scoped, Instagram-scoped and WhatsApp IDs, which Meta does not link to an app-scoped ID: it erased what it holds under this ID and cannot find the person's conversations under their other IDs. The business can erase those by their ID (DELETE /v1/users/{userId}).",
    );
  return notes;
};

/** The status as JSON (scripts, the operator). */
export const statusJson = (record: ErasureRecord, retention: Retention) => ({
  erased: record.erased,
  confirmationCode: record.confirmationCode,
  status: 'complete',
  requestedBy: record.requestedBy,
  requestedAt: record.requestedAt,
  domains: record.domains,
  archiveKeptUntil: record.archiveKeptUntil,
  tombstonesUntil: record.tombstonesUntil,
  remaining: remainders(record, retention),
});

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

/** The status as the human-readable page Meta requires the callback's URL to lead to. */
export const statusHtml = (record: ErasureRecord, retention: Retention): string => {
  const items = remainders(record, retention).map((note) => `<li>${escapeHtml(note)}</li>`);
  return [
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Data deletion status</title></head><body>',
    '<h1>Data deletion request</h1>',
    `<p>Confirmation code <code>${escapeHtml(record.confirmationCode)}</code>, received ${day(record.requestedAt)}: complete. `,
    `${record.erased} record(s) erased.</p>`,
    `<h2>What remains, and until when</h2><ul>${items.join('')}</ul>`,
    '</body></html>',
  ].join('');
};
