import type { JsonSchema } from '../../platform/domain/domain.js';
import { detail, epochSeconds, metaId, nullable } from '../../platform/events/schema.js';
import { SOLUTION_EVENTS } from './manifest.js';

/** The `detail` of each solutions event. */
export const solutionSchemas: Record<string, JsonSchema> = {
  [SOLUTION_EVENTS.statusChanged]: detail({
    solutionId: metaId,
    status: { type: 'string' },
    previousStatus: nullable('string'),
    pendingRequest: nullable('string'),
    statusChangedAt: epochSeconds,
  }),
};
