import { Stack } from 'aws-cdk-lib';
import { CfnRegistry, CfnSchema } from 'aws-cdk-lib/aws-eventschemas';
import { Construct } from 'constructs';
import { DETAIL_TYPES, EVENT_SOURCE } from '../../shared/platform/constants.js';

type JsonSchema = Record<string, unknown>;

const nullable = (type: string): JsonSchema => ({ type: [type, 'null'] });
const metaId: JsonSchema = { type: 'string', pattern: '^[0-9]+$' };
const nullableMetaId: JsonSchema = { type: ['string', 'null'], pattern: '^[0-9]+$' };
const epochSeconds: JsonSchema = { type: 'integer' };
const disconnection: JsonSchema = {
  type: ['object', 'null'],
  properties: { reason: nullable('string'), initiatedBy: nullable('string'), at: epochSeconds },
};

/** A `detail` whose every listed field is present and nothing else: the README's table, checked by tests. */
const detail = (properties: Record<string, JsonSchema>): JsonSchema => ({
  type: 'object',
  required: ['eventId', ...Object.keys(properties)],
  additionalProperties: false,
  properties: { eventId: { type: 'string', minLength: 1 }, ...properties },
});

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

const DETAILS: Record<string, JsonSchema> = {
  [DETAIL_TYPES.solutionStatus]: detail({
    solutionId: metaId,
    status: { type: 'string' },
    previousStatus: nullable('string'),
    pendingRequest: nullable('string'),
    statusChangedAt: epochSeconds,
  }),
  [DETAIL_TYPES.wabaOnboarded]: detail({
    wabaId: metaId,
    solutionId: nullableMetaId,
    ownerBusinessId: nullableMetaId,
    discoveredBy: { enum: ['webhook', 'reconciliation'] },
  }),
  [DETAIL_TYPES.wabaOffboarded]: detail({ wabaId: metaId, reason: nullable('string'), disconnection }),
  [DETAIL_TYPES.wabaUpdated]: detail({
    wabaId: metaId,
    changed: { type: 'object', minProperties: 1, additionalProperties: false, properties: WABA_FACT_TYPES },
  }),
  [DETAIL_TYPES.threadOwner]: detail({
    pageId: metaId,
    userId: { type: 'string', minLength: 1 },
    // `unknown` when Meta said the thread is owned but not by which app.
    ownerAppId: nullable('string'),
    previousOwnerAppId: nullable('string'),
    expiresAt: { type: ['integer', 'null'] },
    platform: { enum: ['messenger', 'instagram'] },
  }),
};

/** The whole EventBridge event of each `detail-type`, as JSON Schema draft 4 (what the registry takes). */
export const EVENT_SCHEMAS: Record<string, JsonSchema> = Object.fromEntries(
  Object.entries(DETAILS).map(([detailType, detailSchema]) => [
    detailType,
    {
      $schema: 'http://json-schema.org/draft-04/schema#',
      title: detailType,
      type: 'object',
      required: ['source', 'detail-type', 'detail'],
      properties: {
        source: { enum: [EVENT_SOURCE] },
        'detail-type': { enum: [detailType] },
        detail: detailSchema,
      },
    },
  ]),
);

/** `switchboard@SolutionStatusChanged`: EventBridge's naming of discovered schemas (source@DetailType). */
export const schemaNameOf = (detailType: string): string => `${EVENT_SOURCE}@${detailType.replace(/ /g, '')}`;

/**
 * The domain events' schemas in an EventBridge schema registry of the stack, so subscribers can browse them
 * and generate code bindings in the console or with `aws schemas get-code-binding-source`.
 */
export class EventSchemas extends Construct {
  public readonly registry: CfnRegistry;

  public constructor(scope: Construct, id: string) {
    super(scope, id);
    this.registry = new CfnRegistry(this, 'Registry', {
      registryName: `${Stack.of(this).stackName}-events`,
      description: 'Schemas of the Switchboard domain events (source "switchboard")',
    });
    for (const [detailType, schema] of Object.entries(EVENT_SCHEMAS)) {
      new CfnSchema(this, schemaNameOf(detailType).replace(/[^A-Za-z]/g, ''), {
        registryName: this.registry.attrRegistryName,
        schemaName: schemaNameOf(detailType),
        type: 'JSONSchemaDraft4',
        content: JSON.stringify(schema),
        description: `The "${detailType}" event`,
      });
    }
  }
}
