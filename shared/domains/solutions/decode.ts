import type { DomainChange } from '../../kernel/change.js';
import { InvalidEventError } from '../../kernel/errors.js';
import { idOrNull, requireEventTime, requireId, requireRecord } from '../../kernel/fields.js';
import type { SolutionEvent } from './solution.js';

/** `partner_solutions` change → event. Throws InvalidEventError for a change that can never apply. */
export const decodeSolutionChange = (envelope: DomainChange): SolutionEvent => {
  const change = requireRecord(envelope.change, 'change');
  const value = requireRecord(change.value, 'change.value');
  const status = value.solution_status;
  if (typeof status !== 'string' || status.trim() === '') {
    throw new InvalidEventError('change.value.solution_status is missing');
  }
  return {
    solutionId: requireId(value.solution_id, 'change.value.solution_id'),
    status: status.trim(),
    event: typeof value.event === 'string' ? value.event : 'SOLUTION_UPDATED',
    businessId: idOrNull(envelope.entryId),
    timeMs: requireEventTime(envelope.entryTime, 'entry.time', envelope),
    eventId: envelope.eventId,
    source: 'webhook',
  };
};
