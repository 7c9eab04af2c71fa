type Row = Record<string, unknown>;

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

/** `users erase`: what was erased, the confirmation code, and what remains until when. */
export const formatErasure = (body: Record<string, unknown>): string =>
  [
    `erased ${String(body.erased)} item(s); confirmation code ${String(body.confirmationCode)}`,
    ...(Array.isArray(body.remaining) ? body.remaining.map((note) => `- ${String(note)}`) : []),
  ].join('\n');
