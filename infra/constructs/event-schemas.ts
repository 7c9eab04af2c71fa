import { Stack } from 'aws-cdk-lib';
import { CfnRegistry, CfnSchema } from 'aws-cdk-lib/aws-eventschemas';
import { Construct } from 'constructs';
import type { DomainModule, JsonSchema } from '../../shared/platform/domain/domain.js';
import { eventSchema, schemaNameOf } from '../../shared/platform/events/schema.js';

/**
 * Every domain's events (and the application's own, `User Erased`), each as the whole EventBridge event (JSON
 * Schema draft 4, what the registry takes).
 */
export const eventSchemasOf = (
  domains: readonly DomainModule[],
  application: Readonly<Record<string, JsonSchema>> = {},
): Record<string, JsonSchema> =>
  Object.fromEntries(
    [...domains.map((domain) => domain.schemas), application].flatMap((schemas) =>
      Object.entries(schemas).map(([detailType, detail]) => [detailType, eventSchema(detailType, detail)]),
    ),
  );

/**
 * The domain events' schemas in an EventBridge schema registry of the stack, so subscribers can browse them
 * and generate code bindings in the console or with `aws schemas get-code-binding-source`.
 */
export class EventSchemas extends Construct {
  public readonly registry: CfnRegistry;

  public constructor(
    scope: Construct,
    id: string,
    domains: readonly DomainModule[],
    application: Readonly<Record<string, JsonSchema>> = {},
  ) {
    super(scope, id);
    this.registry = new CfnRegistry(this, 'Registry', {
      registryName: `${Stack.of(this).stackName}-events`,
      description: 'Schemas of the Switchboard domain events (source "switchboard")',
    });
    for (const [detailType, schema] of Object.entries(eventSchemasOf(domains, application))) {
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
