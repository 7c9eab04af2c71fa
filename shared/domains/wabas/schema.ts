import type { JsonSchema } from '../../platform/domain/domain.js';
import { detail, epochSeconds, metaId, nullable, nullableMetaId } from '../../platform/events/schema.js';
import { WABA_EVENTS } from './manifest.js';

const disconnection: JsonSchema = {
  type: ['object', 'null'],
  properties: { reason: nullable('string'), initiatedBy: nullable('string'), at: epochSeconds },
};

/** The facts a `WABA Updated` may name in `changed`, each with the read model's type. */
const WABA_FACT_TYPES: Record<string, JsonSchema> = {
  ownerBusinessId: nullableMetaId,
  solutionId: nullableMetaId,
  partnerBusinessIds: { type: 'array', items: metaId },
  disconnection,
  apps: { type: 'object' },
  facts: { type: 'object' },
  ban: nullable('object'),
  banned: { type: 'boolean' },
  restrictions: { type: 'array', items: { type: 'object' } },
  violation: nullable('object'),
  name: nullable('string'),
  timezoneId: nullable('string'),
  businessType: nullable('string'),
  messageTemplateNamespace: nullable('string'),
  businessTokenSecret: nullable('string'),
};

/** The `detail` of each WABA event. */
export const wabaSchemas: Record<string, JsonSchema> = {
  [WABA_EVENTS.onboarded]: detail({
    wabaId: metaId,
    solutionId: nullableMetaId,
    ownerBusinessId: nullableMetaId,
    discoveredBy: { enum: ['webhook', 'reconciliation'] },
  }),
  [WABA_EVENTS.offboarded]: detail({ wabaId: metaId, reason: nullable('string'), disconnection }),
  [WABA_EVENTS.updated]: detail({
    wabaId: metaId,
    changed: { type: 'object', minProperties: 1, additionalProperties: false, properties: WABA_FACT_TYPES },
  }),
};
