import type { JsonSchema } from '../../platform/domain/domain.js';
import { detail, metaId, nullable } from '../../platform/events/schema.js';
import { THREAD_EVENTS } from './manifest.js';

/** The `detail` of each threads event. */
export const threadSchemas: Record<string, JsonSchema> = {
  [THREAD_EVENTS.ownerChanged]: detail({
    pageId: metaId,
    userId: { type: 'string', minLength: 1 },
    // `unknown` when Meta said the thread is owned but not by which app.
    ownerAppId: nullable('string'),
    previousOwnerAppId: nullable('string'),
    expiresAt: { type: ['integer', 'null'] },
    platform: { enum: ['messenger', 'instagram'] },
  }),
};
