import { isRecord } from '../../kernel/json.js';
import { type CompletedSweep, readCheckpoint, type SweepCheckpoint } from './sweep.js';

/** `GET /v1/reconcile`: the sweep in progress, the last completed one, and whether a run holds the lease. */
export interface SweepStatus {
  running: boolean;
  current: SweepCheckpoint | null;
  lastCompleted: CompletedSweep | null;
  /** When the first full sweep (the baseline) completed, epoch ms. */
  baselineCompletedAt: number | null;
}

const readCompleted = (value: unknown): CompletedSweep | null => {
  if (!isRecord(value) || typeof value.completedAt !== 'number') return null;
  const checkpoint = readCheckpoint({ ...value, phase: 'solutions', partnerIndex: 0, next: null });
  if (checkpoint === undefined) return null;
  const { phase: _phase, partnerIndex: _partner, next: _next, ...rest } = checkpoint;
  return { ...rest, completedAt: value.completedAt };
};

/** The reconciliation control item, read defensively: anything unreadable is no sweep. */
export const readSweepStatus = (item: Record<string, unknown> | undefined, now: number): SweepStatus => ({
  running: typeof item?.leaseUntil === 'number' && item.leaseUntil >= now,
  current: readCheckpoint(item?.sweep) ?? null,
  lastCompleted: readCompleted(item?.lastCompletedSweep),
  baselineCompletedAt: typeof item?.baselineCompletedAt === 'number' ? item.baselineCompletedAt : null,
});
