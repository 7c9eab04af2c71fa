import { appName } from '../shared/domains/threads/apps.js';

type Row = Record<string, unknown>;

const isoSeconds = (seconds: unknown) =>
  typeof seconds === 'number' ? new Date(seconds * 1000).toISOString().replace('.000Z', 'Z') : '-';
const isoMillis = (millis: unknown) => (typeof millis === 'number' ? new Date(millis).toISOString() : '-');
const app = (id: unknown) =>
  typeof id === 'string' ? `${id}${appName(id) ? ` (${appName(id)})` : ''}` : 'nobody';

export const formatSolution = (s: Row) =>
  `solution ${s.solutionId}  ${s.status}  since ${isoSeconds(s.statusChangedAt)}${s.name ? `  "${s.name}"` : ''}  (last: ${s.lastEvent} via ${s.lastSource})`;

export const formatWaba = (w: Row) =>
  `WABA ${w.wabaId}  ${w.active ? 'active' : `inactive (${w.inactiveReason})`}  solution ${w.solutionId ?? '-'}  owner ${w.ownerBusinessId ?? '-'}` +
  `${w.name ? `  "${w.name}"` : ''}  discovered by ${w.discoveredBy}`;

export const formatThread = (t: Row) => {
  const owner =
    t.ownerAppId === null
      ? t.expired
        ? 'idle (control expired)'
        : 'idle'
      : `owned by ${app(t.ownerAppId)} until ${isoMillis(t.expiresAt)}`;
  const requested = t.requestedOwnerAppId ? `  requested by ${app(t.requestedOwnerAppId)}` : '';
  return `thread ${t.pageId}/${t.userId}  ${owner}  previous ${app(t.previousOwnerAppId)}${requested}${t.metadata ? `  metadata "${t.metadata}"` : ''}`;
};

const errorsOf = (counts: unknown): string => {
  const entries = Object.entries((counts ?? {}) as Record<string, number>);
  return entries.length === 0
    ? ''
    : `, errors by code ${entries.map(([code, n]) => `${code}×${n}`).join(' ')}`;
};

export const formatSummary = (r: Row) =>
  `reconciliation ${r.complete ? 'complete: the sweep finished' : `partial (${r.stoppedBy}): the next run continues`}${r.resumed ? ' (resumed)' : ''}: ${r.pages} pages, ${r.wabasSeen} WABAs seen, ` +
  `${r.baseline ? `${r.wabasBaselined} recorded (first sweep: a baseline, not drift)` : `${r.wabasDiscovered} discovered`}, ${r.solutionsChanged} solutions changed${errorsOf(r.errorsByCode)}, ${r.retries} retries, ${r.durationMs} ms`;

const sweepLine = (label: string, sweep: Row | null | undefined): string => {
  if (sweep === null || sweep === undefined) return `${label}: none`;
  const counters = (sweep.counters ?? {}) as Row;
  const ended =
    typeof sweep.completedAt === 'number' ? `, completed ${new Date(sweep.completedAt).toISOString()}` : '';
  return `${label}: started ${new Date(Number(sweep.startedAt)).toISOString()}${ended}, ${sweep.runs} run(s), ${counters.pages} pages, ${counters.wabasSeen} WABAs seen, ${counters.wabasDiscovered} discovered${errorsOf(counters.errorsByCode)}${sweep.restartedBecause ? ` (restarted: ${sweep.restartedBecause})` : ''}`;
};

export const formatSweepStatus = (r: Row) =>
  [
    `reconciliation ${r.running ? 'running now' : 'idle'}`,
    sweepLine('current sweep', r.current as Row | null),
    sweepLine('last completed sweep', r.lastCompleted as Row | null),
  ].join('\n');

export const formatError = (status: number, body: unknown) => {
  if (typeof body === 'object' && body !== null) {
    const error = body as Row;
    const meta = error.fbtrace_id
      ? ` (Meta code ${error.code}, subcode ${error.error_subcode ?? '-'}, fbtrace_id ${error.fbtrace_id})`
      : '';
    return `${status} ${error.error ?? 'error'}: ${error.message ?? JSON.stringify(body)}${meta}`;
  }
  return `${status}: ${String(body)}`;
};
