import { EVENT_SOURCE } from '../config/constants.js';

export type JsonSchema = Record<string, unknown>;

/** Building blocks of the domains' event schemas (JSON Schema draft 4, what EventBridge's registry takes). */
export const nullable = (type: string): JsonSchema => ({ type: [type, 'null'] });
export const metaId: JsonSchema = { type: 'string', pattern: '^[0-9]+$' };
export const nullableMetaId: JsonSchema = { type: ['string', 'null'], pattern: '^[0-9]+$' };
export const epochSeconds: JsonSchema = { type: 'integer' };

/** A `detail` whose every listed field is present and nothing else (plus the stable `eventId`). */
export const detail = (properties: Record<string, JsonSchema>): JsonSchema => ({
  type: 'object',
  required: ['eventId', ...Object.keys(properties)],
  additionalProperties: false,
  properties: { eventId: { type: 'string', minLength: 1 }, ...properties },
});

/** The whole EventBridge event of one `detail-type`, around its detail's schema. */
export const eventSchema = (detailType: string, detailSchema: JsonSchema): JsonSchema => ({
  $schema: 'http://json-schema.org/draft-04/schema#',
  title: detailType,
  type: 'object',
  required: ['source', 'detail-type', 'detail'],
  properties: {
    source: { enum: [EVENT_SOURCE] },
    'detail-type': { enum: [detailType] },
    detail: detailSchema,
  },
});

/** `switchboard@SolutionStatusChanged`: EventBridge's naming of discovered schemas (source@DetailType). */
export const schemaNameOf = (detailType: string): string => `${EVENT_SOURCE}@${detailType.replace(/ /g, '')}`;
