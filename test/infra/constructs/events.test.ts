import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { DomainEvents } from '../../../infra/constructs/domain-events.js';
import { EventSchemas, eventSchemasOf } from '../../../infra/constructs/event-schemas.js';
import { DOMAIN_MODULES } from '../../../shared/domains/modules.js';
import { DOMAINS } from '../../../shared/domains/registry.js';
import { schemaNameOf } from '../../../shared/platform/events/schema.js';
import { allowedActions, isolated, type Statement } from './isolated.js';

const statementsOf = (template: ReturnType<typeof isolated>): Statement[] =>
  Object.entries(template.findResources('AWS::IAM::Policy'))
    .filter(([id]) => !id.startsWith('DeliveryArchiveStream'))
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as Statement[]);

describe('domain events and the delivery archive, each on its own under cdk-nag', () => {
  it('DomainEvents: a bus, the four table streams with retries, bisection and a failure queue', () => {
    // Prepare, Act
    const template = isolated((stack, state) => new DomainEvents(stack, 'Events', state, DOMAINS));

    // Assess
    template.resourceCountIs('AWS::Events::EventBus', 1);
    const mappings = template.findResources('AWS::Lambda::EventSourceMapping');
    expect(Object.keys(mappings)).toHaveLength(DOMAINS.length);
    for (const mapping of Object.values(mappings)) {
      expect(mapping.Properties).toMatchObject({
        StartingPosition: 'TRIM_HORIZON',
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: 10,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        DestinationConfig: {
          OnFailure: { Destination: { 'Fn::GetAtt': [expect.stringMatching(/StreamFailures/), 'Arn'] } },
        },
      });
    }
    const streams = Object.values(template.findResources('AWS::DynamoDB::Table')).map(
      (table) => table.Properties.StreamSpecification?.StreamViewType,
    );
    expect(streams.filter((view) => view === 'NEW_AND_OLD_IMAGES')).toHaveLength(DOMAINS.length);
  });

  it('DomainEvents: the publisher may put events on its bus and read the streams, nothing else', () => {
    const template = isolated((stack, state) => new DomainEvents(stack, 'Events', state, DOMAINS));
    const actions = allowedActions(template);
    // Besides its own log stream and its failure queue (the event source mapping sends there).
    expect(actions.filter((action) => !/^(dynamodb|sqs|logs):/.test(action))).toEqual(['events:PutEvents']);
    expect(actions.filter((action) => action.startsWith('dynamodb:')).sort()).toEqual([
      'dynamodb:DescribeStream',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
      'dynamodb:ListStreams',
    ]);
    const putEvents = statementsOf(template).filter((statement) => statement.Action === 'events:PutEvents');
    expect(putEvents).toHaveLength(1);
    expect(JSON.stringify(putEvents[0]?.Resource)).toContain('EventsBus');
    // Reading is granted on the streams' ARNs, never a table's items.
    for (const statement of statementsOf(template).filter((each) => each.Action !== 'dynamodb:ListStreams')) {
      if (String(statement.Action).startsWith('dynamodb:'))
        expect(JSON.stringify(statement.Resource)).toContain('StreamArn');
    }
  });

  it('EventSchemas: one JSON Schema (draft 4) per documented detail-type, in a registry of the stack', () => {
    const template = isolated((stack) => new EventSchemas(stack, 'EventSchemas', DOMAIN_MODULES));
    template.resourceCountIs('AWS::EventSchemas::Registry', 1);
    const schemas = Object.values(template.findResources('AWS::EventSchemas::Schema'));
    expect(schemas.map((schema) => schema.Properties.SchemaName).sort()).toEqual(
      DOMAINS.flatMap((domain) => domain.eventTypes)
        .map(schemaNameOf)
        .sort(),
    );
    for (const schema of schemas) {
      expect(schema.Properties.Type).toBe('JSONSchemaDraft4');
      const content = JSON.parse(schema.Properties.Content as string);
      expect(content).toEqual(eventSchemasOf(DOMAIN_MODULES)[content.title]);
    }
  });

  it('the archive: Firehose to the retained bucket, GZIP, by hour, within 60 s or 5 MiB', () => {
    const template = isolated(() => undefined);
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamEncryptionConfigurationInput: Match.anyValue(),
      ExtendedS3DestinationConfiguration: Match.objectLike({
        CompressionFormat: 'GZIP',
        BufferingHints: { IntervalInSeconds: 60, SizeInMBs: 5 },
        Prefix: Match.stringLikeRegexp('^deliveries/!\\{timestamp:yyyy/MM/dd/HH\\}/'),
      }),
    });
  });
});
