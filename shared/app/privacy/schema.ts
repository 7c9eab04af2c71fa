import type { JsonSchema } from '../../platform/events/schema.js';
import { detail } from '../../platform/events/schema.js';

/** The erasure of a person, as a domain event: counts and dates only, never the person's ID. */
export const USER_ERASED = 'User Erased';

/** The `detail` of `User Erased` (registered with the domains' schemas). */
export const privacySchemas: Record<string, JsonSchema> = {
  [USER_ERASED]: detail({
    confirmationCode: { type: 'string', pattern: '^[A-Za-z0-9]+$' },
    requestedBy: { enum: ['meta', 'operator'] },
    requestedAt: { type: 'integer' },
    erased: { type: 'integer', minimum: 0 },
    domains: { type: 'object', additionalProperties: { type: 'integer', minimum: 0 } },
    archiveKeptUntil: { type: 'integer' },
    tombstonesUntil: { type: 'integer' },
  }),
};
