import { randomBytes } from 'node:crypto';
import { DependencyUnavailableError } from '../../kernel/errors.js';
import { eventIdOf } from '../../kernel/event-id.js';
import { isRecord } from '../../kernel/json.js';
import { DAY_SECONDS, type Retention, tombstoneDays } from '../../kernel/retention.js';
import type { DomainManifest, DomainModule } from '../../platform/domain/domain.js';
import type { DomainEvent } from '../../platform/events/domain-event.js';
import type { EventPublisher } from '../../platform/events/ports.js';
import type { ControlTable } from '../../platform/store/control.js';
import type { ErasureStore } from '../../platform/store/erasure.js';
import { CONTROL_TTL_ATTRIBUTE } from '../../platform/store/tables.js';
import { USER_ERASED } from './schema.js';

/** Who asked: Meta's data deletion callback (an app-scoped ID) or an operator (`DELETE /v1/users/{userId}`). */
export type Requester = 'meta' | 'operator';

/** What an erasure did and what it left, without the person's ID: the status page and the event say this. */
export interface ErasureRecord {
  confirmationCode: string;
  requestedBy: Requester;
  /** Epoch seconds. */
  requestedAt: number;
  /** Items that held the person's data, now tombstones; by domain. */
  erased: number;
  domains: Record<string, number>;
  /** Epoch seconds by which the archive has deleted every delivery received before the erasure. */
  archiveKeptUntil: number;
  /** Epoch seconds when the tombstones (IDs and erasure time only) expire. */
  tombstonesUntil: number;
}

export interface ErasureDeps {
  /** The domains; those with an erasure facet (`erase`) are erased. */
  domains: readonly DomainModule[];
  /** A domain table's erasure side. */
  store(domain: DomainManifest): ErasureStore;
  /** Erasure records (the control table): the status page reads them by confirmation code. */
  control: ControlTable;
  /** Where `User Erased` goes (the stack's bus; local mode's). */
  publisher: EventPublisher;
  retention: Retention;
  now: () => number;
  /** A new confirmation code (random, alphanumeric). */
  newCode?: () => string;
}

/** Erasure records are evidence that a request was honoured: a year, then TTL removes them. */
export const ERASURE_RECORD_DAYS = 365;

const recordKey = (code: string) => `erasure#${code}`;

/** 20 hex characters: alphanumeric, as Meta requires of a confirmation code, and unguessable. */
export const newConfirmationCode = (): string => randomBytes(10).toString('hex');

/** `User Erased`: the erasure as a domain event, with counts and dates and no personal data. */
export const userErasedEvent = (record: ErasureRecord): DomainEvent => ({
  id: eventIdOf({ detailType: USER_ERASED, confirmationCode: record.confirmationCode }),
  detailType: USER_ERASED,
  detail: { ...record },
});

/**
 * Erases one person (PSID, IGSID, WhatsApp user ID, or the app-scoped ID of Meta's callback): every domain
 * with an erasure facet replaces the person's items by tombstones, which the one conditional write of every later
 * event checks (a late, redelivered or replayed event about them changes nothing and counts as `erased`). Then
 * the record (no ID) and `User Erased`. A failure answers 503 and a retry does it again: tombstones are idempotent.
 */
export const eraseUser = async (deps: ErasureDeps, userId: string, by: Requester): Promise<ErasureRecord> => {
  const nowMs = deps.now();
  const requestedAt = Math.floor(nowMs / 1000);
  const erasure = { atMs: nowMs, tombstonesUntil: requestedAt + tombstoneDays(deps.retention) * DAY_SECONDS };
  const domains: Record<string, number> = {};
  for (const domain of deps.domains) {
    if (domain.erase === undefined) continue;
    try {
      domains[domain.manifest.name] = await domain.erase(deps.store(domain.manifest), userId, erasure);
    } catch (error) {
      throw new DependencyUnavailableError('state tables', error);
    }
  }
  const record: ErasureRecord = {
    confirmationCode: (deps.newCode ?? newConfirmationCode)(),
    requestedBy: by,
    requestedAt,
    erased: Object.values(domains).reduce((sum, count) => sum + count, 0),
    domains,
    // S3 expires an object the midnight after its last day: one more day.
    archiveKeptUntil: requestedAt + (deps.retention.archiveDays + 1) * DAY_SECONDS,
    tombstonesUntil: erasure.tombstonesUntil,
  };
  try {
    await deps.control.set(recordKey(record.confirmationCode), {
      kind: 'erasure',
      ...record,
      [CONTROL_TTL_ATTRIBUTE]: requestedAt + ERASURE_RECORD_DAYS * DAY_SECONDS,
    });
    await deps.publisher.publish([userErasedEvent(record)], new Date(nowMs));
  } catch (error) {
    throw new DependencyUnavailableError('erasure record', error);
  }
  return record;
};

/** The record of an erasure by its confirmation code, if any. */
export const readErasure = async (
  control: ControlTable,
  code: string,
): Promise<ErasureRecord | undefined> => {
  const item = await control.get(recordKey(code));
  if (item === undefined || item.kind !== 'erasure' || !isRecord(item.domains)) return undefined;
  const number = (value: unknown) => (typeof value === 'number' ? value : 0);
  return {
    confirmationCode: code,
    requestedBy: item.requestedBy === 'meta' ? 'meta' : 'operator',
    requestedAt: number(item.requestedAt),
    erased: number(item.erased),
    domains: Object.fromEntries(Object.entries(item.domains).map(([name, count]) => [name, number(count)])),
    archiveKeptUntil: number(item.archiveKeptUntil),
    tombstonesUntil: number(item.tombstonesUntil),
  };
};
