import { randomBytes } from 'node:crypto';
import { CreateTableCommand, type CreateTableCommandInput, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { CreateDeliveryStreamCommand, FirehoseClient } from '@aws-sdk/client-firehose';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { resolveValue, resourcesOfType, type StandInNames, type Template } from './template.js';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** The queue the rehearsal subscribes to the domain-event bus, as a consumer of the events would. */
export const SUBSCRIBER_QUEUE = 'rehearsal-event-subscriber';

/** What the template's references resolve to in moto: the names the rehearsal gives each resource there. */
export const motoNames = (
  region: string,
  account: string,
  endpoint: string,
  secretArns: Map<string, string>,
): StandInNames => ({
  region,
  account,
  resolve(id, attribute, type) {
    const name = `rehearsal-${id.toLowerCase()}`;
    switch (type) {
      case 'AWS::DynamoDB::Table':
        if (attribute === 'StreamArn')
          return `arn:aws:dynamodb:${region}:${account}:table/${name}/stream/rehearsal`;
        return attribute === 'Arn' ? `arn:aws:dynamodb:${region}:${account}:table/${name}` : name;
      case 'AWS::Events::EventBus':
        return attribute === 'Arn' ? `arn:aws:events:${region}:${account}:event-bus/${name}` : name;
      case 'AWS::KinesisFirehose::DeliveryStream':
        return attribute === 'Arn' ? `arn:aws:firehose:${region}:${account}:deliverystream/${name}` : name;
      case 'AWS::SQS::Queue':
        if (attribute === 'Arn') return `arn:aws:sqs:${region}:${account}:${name}`;
        if (attribute === 'QueueName') return name;
        return `${endpoint}/${account}/${name}`;
      case 'AWS::SecretsManager::Secret':
        return secretArns.get(id);
      case 'AWS::S3::Bucket':
        return attribute === 'Arn' ? `arn:aws:s3:::${name}` : name;
      case 'AWS::Logs::LogGroup':
        return attribute === 'Arn' ? `arn:aws:logs:${region}:${account}:log-group:${name}:*` : name;
      case 'AWS::Lambda::Function':
        return attribute === 'Arn' ? `arn:aws:lambda:${region}:${account}:function:${name}` : name;
      case 'AWS::StepFunctions::StateMachine':
        return `arn:aws:states:${region}:${account}:stateMachine:${name}`;
      case 'AWS::IAM::Role':
        return attribute === 'Arn' ? `arn:aws:iam::${account}:role/${name}` : name;
      default:
        return undefined;
    }
  },
});

/** A secret's first value, as CloudFormation generates it from GenerateSecretString. */
const generatedValue = (properties: Record<string, unknown>): string => {
  const generate = properties.GenerateSecretString as
    | { SecretStringTemplate?: string; GenerateStringKey?: string; PasswordLength?: number }
    | undefined;
  if (generate === undefined) return String(properties.SecretString ?? '');
  const value = JSON.parse(generate.SecretStringTemplate ?? '{}') as Record<string, string>;
  if (generate.GenerateStringKey !== undefined)
    value[generate.GenerateStringKey] = randomBytes(64)
      .toString('base64')
      .replace(/[^A-Za-z0-9]/g, '')
      .slice(0, generate.PasswordLength ?? 32);
  return JSON.stringify(value);
};

type Clients = {
  dynamo: DynamoDBClient;
  sqs: SQSClient;
  s3: S3Client;
  secrets: SecretsManagerClient;
  events: EventBridgeClient;
  firehose: FirehoseClient;
};

export const adminClients = (endpoint: string, region: string, credentials: Credentials): Clients => ({
  dynamo: new DynamoDBClient({ endpoint, region, credentials }),
  sqs: new SQSClient({ endpoint, region, credentials }),
  s3: new S3Client({ endpoint, region, credentials, forcePathStyle: true }),
  secrets: new SecretsManagerClient({ endpoint, region, credentials }),
  events: new EventBridgeClient({ endpoint, region, credentials }),
  firehose: new FirehoseClient({ endpoint, region, credentials }),
});

/** The stack's secrets, with the value CloudFormation would generate: answers logical ID → ARN. */
export const createSecrets = async (template: Template, clients: Clients): Promise<Map<string, string>> => {
  const arns = new Map<string, string>();
  for (const [id, secret] of resourcesOfType(template, 'AWS::SecretsManager::Secret')) {
    const created = await clients.secrets.send(
      new CreateSecretCommand({
        Name: `rehearsal-${id}`,
        SecretString: generatedValue(secret.Properties ?? {}),
      }),
    );
    arns.set(id, String(created.ARN));
  }
  return arns;
};

/**
 * The template's tables, queues, buckets, bus and delivery stream, created in moto with the template's own
 * key schemas, indexes and queue attributes; plus a rule on the bus feeding the subscriber queue.
 */
export const createResources = async (template: Template, clients: Clients, names: StandInNames) => {
  try {
    await createEach(template, clients, names);
  } catch (error) {
    throw new Error(`creating the template's resources in moto: ${String(error)}`);
  }
};

const createEach = async (template: Template, clients: Clients, names: StandInNames) => {
  const resolve = (value: unknown) => resolveValue(template, value, names);
  const nameOf = (id: string, type: string) => names.resolve(id, undefined, type) ?? id;
  for (const [id, table] of resourcesOfType(template, 'AWS::DynamoDB::Table')) {
    const p = table.Properties ?? {};
    await clients.dynamo.send(
      new CreateTableCommand({
        TableName: nameOf(id, 'AWS::DynamoDB::Table'),
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: p.KeySchema,
        AttributeDefinitions: p.AttributeDefinitions,
        GlobalSecondaryIndexes: p.GlobalSecondaryIndexes,
      } as CreateTableCommandInput),
    );
  }
  const queues = resourcesOfType(template, 'AWS::SQS::Queue').sort(([, a]) =>
    a.Properties?.RedrivePolicy ? 1 : -1,
  );
  for (const [id, queue] of queues) {
    const p = queue.Properties ?? {};
    const redrive = p.RedrivePolicy as { deadLetterTargetArn: unknown; maxReceiveCount: number } | undefined;
    const attributes: Record<string, string> = {};
    for (const key of ['MaximumMessageSize', 'MessageRetentionPeriod', 'VisibilityTimeout'])
      if (p[key] !== undefined) attributes[key] = String(p[key]);
    if (redrive !== undefined)
      attributes.RedrivePolicy = JSON.stringify({
        deadLetterTargetArn: resolve(redrive.deadLetterTargetArn),
        maxReceiveCount: redrive.maxReceiveCount,
      });
    await clients.sqs.send(
      new CreateQueueCommand({
        QueueName: names.resolve(id, 'QueueName', 'AWS::SQS::Queue') ?? id,
        Attributes: attributes,
      }),
    );
  }
  for (const [id] of resourcesOfType(template, 'AWS::S3::Bucket'))
    await clients.s3.send(
      new CreateBucketCommand({
        Bucket: nameOf(id, 'AWS::S3::Bucket'),
        CreateBucketConfiguration: { LocationConstraint: names.region as never },
      }),
    );
  await clients.sqs.send(new CreateQueueCommand({ QueueName: SUBSCRIBER_QUEUE }));
  for (const [id] of resourcesOfType(template, 'AWS::Events::EventBus')) {
    const bus = nameOf(id, 'AWS::Events::EventBus');
    await clients.events.send(new CreateEventBusCommand({ Name: bus }));
    await clients.events.send(
      new PutRuleCommand({
        Name: 'rehearsal-subscriber',
        EventBusName: bus,
        EventPattern: '{"source":["switchboard"]}',
      }),
    );
    await clients.events.send(
      new PutTargetsCommand({
        Rule: 'rehearsal-subscriber',
        EventBusName: bus,
        Targets: [
          { Id: 'subscriber', Arn: `arn:aws:sqs:${names.region}:${names.account}:${SUBSCRIBER_QUEUE}` },
        ],
      }),
    );
  }
  for (const [id, stream] of resourcesOfType(template, 'AWS::KinesisFirehose::DeliveryStream')) {
    const destination = (stream.Properties?.ExtendedS3DestinationConfiguration ?? {}) as Record<
      string,
      unknown
    >;
    await clients.firehose.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: nameOf(id, 'AWS::KinesisFirehose::DeliveryStream'),
        DeliveryStreamType: 'DirectPut',
        ExtendedS3DestinationConfiguration: {
          BucketARN: resolve(destination.BucketARN),
          RoleARN: `arn:aws:iam::${names.account}:role/rehearsal-firehose`,
          Prefix: String(destination.Prefix ?? ''),
          CompressionFormat: 'UNCOMPRESSED',
        },
      }),
    );
  }
};
