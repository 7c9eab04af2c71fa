import { boundedText } from '../../kernel/bounds.js';
import type { EventSource } from '../../kernel/change.js';
import {
  applyRegisterWrite,
  factVersion,
  type Item,
  REGISTER_PREFIX,
  type Register,
  type RegisterNames,
  type RegisterWrite,
  readFamily,
  readingVersion,
  readRegisters,
  toEpochSeconds,
  type WriteOutcome,
  writeRegister,
} from '../../kernel/registers.js';

export type { EventSource } from '../../kernel/change.js';

/** The documented statuses in lifecycle order; the order is also the same-second tie-break rank. */
export const SOLUTION_STATUSES = [
  'DRAFT',
  'INITIATED',
  'PENDING',
  'REJECTED',
  'ACTIVE',
  'PENDING_DEACTIVATION',
  'DEACTIVATED',
] as const;
export type SolutionStatus = (typeof SOLUTION_STATUSES)[number];

/** Graph says `NONE` when nothing waits; the read model says null. */
export const pendingRequestOf = (value: unknown): string | null =>
  typeof value === 'string' && value.trim() !== '' && value.trim() !== 'NONE' ? value.trim() : null;

const impliedPendingRequest = (event: SolutionEvent): string | null =>
  event.pendingRequest !== undefined
    ? event.pendingRequest
    : event.status === 'PENDING_DEACTIVATION'
      ? 'PENDING_DEACTIVATION'
      : null;

/** Whether a deactivation request waits, whichever way Meta put it (a status, or a pending request beside it). */
export const deactivationPending = (solution: Pick<Solution, 'status' | 'pendingRequest'>): boolean =>
  solution.status === 'PENDING_DEACTIVATION' || solution.pendingRequest === 'PENDING_DEACTIVATION';

/**
 * Whether two readings say the same thing. Meta writes a waiting deactivation two ways: a webhook's status
 * `PENDING_DEACTIVATION`, Graph's `ACTIVE` beside `status_for_pending_request: PENDING_DEACTIVATION`. Each is kept
 * as Meta wrote it, but neither is a change from the other: no write, no event, and the status's time stands.
 */
export const sameSolutionState = (
  a: Pick<Solution, 'status' | 'pendingRequest'>,
  b: Pick<Solution, 'status' | 'pendingRequest'>,
): boolean => canonicalState(a) === canonicalState(b);

const canonicalState = (solution: Pick<Solution, 'status' | 'pendingRequest'>): string =>
  deactivationPending(solution) &&
  (solution.status === 'ACTIVE' || solution.status === 'PENDING_DEACTIVATION')
    ? 'PENDING_DEACTIVATION'
    : `${solution.status}|${solution.pendingRequest ?? ''}`;

export const isDocumentedStatus = (status: string): status is SolutionStatus =>
  (SOLUTION_STATUSES as readonly string[]).includes(status);

/** A fact about a solution's status, whichever way it reached us. */
export interface SolutionEvent {
  solutionId: string;
  status: string;
  /** `SOLUTION_CREATED`, `SOLUTION_UPDATED`, `RECONCILED`, or the action name (`accept`, ...). */
  event: string;
  businessId: string | null;
  /**
   * A webhook's `entry.time` (whole seconds), the instant an action's answer came (a fact on the same whole-second
   * clock, as Meta's webhook of it would be), a reading's taken time (before its GET; source `reconciliation`).
   */
  timeMs: number;
  eventId: string;
  source: EventSource;
  name?: string | null;
  /**
   * Graph's `status_for_pending_request` (`NONE` already turned into null). When absent, the event's status
   * implies it: a webhook saying PENDING_DEACTIVATION is that request; any other status ends it.
   */
  pendingRequest?: string | null;
}

export interface SolutionHistoryEntry {
  status: string;
  at: number;
  event: string;
  source: EventSource;
}

export interface Solution {
  solutionId: string;
  status: string;
  businessId: string | null;
  statusChangedAt: number;
  firstSeenAt: number;
  name: string | null;
  /** A request waiting for the partner (`PENDING_DEACTIVATION`, `PENDING_ACTIVATION`), else null. */
  pendingRequest: string | null;
  lastEvent: string;
  lastSource: EventSource;
  /** False when Meta sent a status it does not document; the value is kept as given. */
  statusDocumented: boolean;
  history: SolutionHistoryEntry[];
  lastReconciledAt: number | null;
}

/** What every solution register holds: one status as one source reported it. */
interface StatusRegister extends Register {
  status: string;
  event: string;
  source: EventSource;
  timeMs: number;
  businessId?: string | null;
  name?: string;
  pendingRequest?: string;
}

/** The observation register holds reconciliation's latest reading; a family holds one entry per status. */
interface SolutionRegisters {
  observation: StatusRegister;
}
const SOLUTION_REGISTERS: RegisterNames<SolutionRegisters> = { observation: `${REGISTER_PREFIX}obs` };
const STATUS_REGISTER_PREFIX = `${REGISTER_PREFIX}s_`;

const statusRank = (status: string): number => (SOLUTION_STATUSES as readonly string[]).indexOf(status) + 1;

/** Status names become attribute names; undocumented ones are sanitised and bounded. */
/**
 * One register per documented status; every undocumented status Meta may send shares one (`r_s__UNDOCUMENTED`,
 * keeping the newest): an item holds at most 8 status registers and the reading, whatever Meta sends.
 */
const statusRegister = (status: string): string =>
  `${STATUS_REGISTER_PREFIX}${isDocumentedStatus(status) ? status : '_UNDOCUMENTED'}`;

/** Texts Meta sends into a solution's registers, bounded (a status or an event name is a short word). */
const MAX_WORD = 64;
const MAX_NAME = 256;

/**
 * Register per status keeps the newest event that set each status: the current status is the newest
 * register, and the registers themselves are the bounded history. Reconciliation readings go to their own
 * register so they never overwrite the time a webhook or action recorded for a transition.
 */
export const solutionWrite = (event: SolutionEvent): RegisterWrite => {
  const pendingRequest = impliedPendingRequest(event);
  const reading = event.source === 'reconciliation';
  const value: StatusRegister = {
    // One clock: facts (webhooks, our actions' answers) on Meta's whole seconds, readings by when they were
    // taken, below every fact of that second (registers.ts: factVersion, readingVersion).
    v: reading
      ? readingVersion(event.timeMs, event.eventId)
      : factVersion(event.timeMs, statusRank(event.status), event.eventId, 'second'),
    status: boundedText(event.status, MAX_WORD),
    event: boundedText(event.event, MAX_WORD),
    source: event.source,
    timeMs: event.timeMs,
    businessId: event.businessId,
    ...(event.name === undefined || event.name === null ? {} : { name: boundedText(event.name, MAX_NAME) }),
    ...(pendingRequest === null ? {} : { pendingRequest: boundedText(pendingRequest, MAX_WORD) }),
  };
  return reading
    ? writeRegister(SOLUTION_REGISTERS, 'observation', value)
    : { register: statusRegister(event.status), value };
};

export const solutionKey = (solutionId: string): Item => ({ solutionId });

export const applySolutionEvent = (
  item: Item | undefined,
  event: SolutionEvent,
): { item: Item; outcome: WriteOutcome } =>
  applyRegisterWrite(item, solutionKey(event.solutionId), solutionWrite(event));

const statusRegisters = (item: Item): StatusRegister[] => {
  const { observation } = readRegisters<SolutionRegisters>(item, SOLUTION_REGISTERS);
  return [
    ...readFamily<StatusRegister>(item, STATUS_REGISTER_PREFIX).values(),
    ...(observation ? [observation] : []),
  ].sort((a, b) => (a.v < b.v ? -1 : a.v > b.v ? 1 : 0));
};

/** The read model: a pure fold over the registers. */
export const projectSolution = (item: Item | undefined): Solution | undefined => {
  if (item === undefined || typeof item.solutionId !== 'string') return undefined;
  const registers = statusRegisters(item);
  const current = registers.at(-1);
  if (current === undefined) return undefined;
  // The status changed at the oldest register of the newest unbroken run of the same state.
  const stateOf = (register: StatusRegister) => ({
    status: register.status,
    pendingRequest: register.pendingRequest ?? null,
  });
  let changedAt = current.timeMs;
  for (let index = registers.length - 1; index >= 0; index--) {
    const register = registers[index];
    if (register === undefined || !sameSolutionState(stateOf(register), stateOf(current))) break;
    changedAt = Math.min(changedAt, register.timeMs);
  }
  const { observation } = readRegisters<SolutionRegisters>(item, SOLUTION_REGISTERS);
  const named = [...registers].reverse().find((register) => typeof register.name === 'string');
  const withBusiness = [...registers].reverse().find((register) => typeof register.businessId === 'string');
  return {
    solutionId: item.solutionId,
    status: current.status,
    businessId: withBusiness?.businessId ?? null,
    statusChangedAt: toEpochSeconds(changedAt),
    firstSeenAt: toEpochSeconds(Math.min(...registers.map((register) => register.timeMs))),
    name: named?.name ?? null,
    // A pending request is part of the newest fact: any later status (webhook, action, reading) settles it.
    pendingRequest: current.pendingRequest ?? null,
    lastEvent: current.event,
    lastSource: current.source,
    statusDocumented: isDocumentedStatus(current.status),
    history: registers.map((register) => ({
      status: register.status,
      at: toEpochSeconds(register.timeMs),
      event: register.event,
      source: register.source,
    })),
    lastReconciledAt: observation === undefined ? null : toEpochSeconds(observation.timeMs),
  };
};
