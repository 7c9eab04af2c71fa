import type { JsonSchema } from '../../platform/domain/domain.js';
import { detail, epochSeconds, metaId, nullable } from '../../platform/events/schema.js';
import { ONBOARDING_EVENTS } from './manifest.js';
import { STEPS } from './model.js';

/** The `detail` of `WABA Onboarding Step Changed`. */
export const onboardingSchemas: Record<string, JsonSchema> = {
  [ONBOARDING_EVENTS.stepChanged]: detail({
    wabaId: metaId,
    step: { enum: [...STEPS] },
    state: { enum: ['pending', 'done', 'failed', 'skipped'] },
    code: nullable('integer'),
    message: nullable('string'),
    at: epochSeconds,
  }),
};
