import type { AddressInfo } from 'node:net';
import { CreateTableCommand, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { localDynamoClient } from '../local/dynalite.js';
import { startSandboxGraph } from '../local/sandbox-graph.js';
import { FunctionContainer, runtimeBinary } from './containers.js';
import { startAwsStandIns } from './stand-ins.js';
import {
  type FunctionSpec,
  functionsOf,
  resolveValue,
  resourcesOfType,
  type StandInNames,
  type Template,
} from './template.js';

export const REGION = 'eu-west-1';
export const ACCOUNT = '123456789012';
export const META_SECRET = {
  META_APP_SECRET: 'rehearsal-app-secret',
  META_APP_SECRET_PREVIOUS: '',
  META_VERIFY_TOKEN: 'rehearsal-verify-token',
  META_SYSTEM_USER_TOKEN: 'rehearsal-system-user-token',
};
const PAGE_TOKEN = 'rehearsal-page-token';

/** What a deployed stack's CloudFormation references resolve to here: names on the local stand-ins. */
const standInNames = (sqsEndpoint: string, secretArns: Map<string, string>): StandInNames => ({
  region: REGION,
  account: ACCOUNT,
  resolve(id, attribute, type) {
    switch (type) {
      case 'AWS::DynamoDB::Table':
        if (attribute === 'StreamArn')
          return `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/rehearsal-${id}/stream/rehearsal`;
        return attribute === 'Arn'
          ? `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/rehearsal-${id}`
          : `rehearsal-${id}`;
      case 'AWS::Events::EventBus':
        return attribute === 'Arn'
          ? `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/rehearsal-${id}`
          : `rehearsal-${id}`;
      case 'AWS::KinesisFirehose::DeliveryStream':
        return attribute === 'Arn'
          ? `arn:aws:firehose:${REGION}:${ACCOUNT}:deliverystream/rehearsal-${id}`
          : `rehearsal-${id}`;
      case 'AWS::SQS::Queue':
        if (attribute === 'Arn') return `arn:aws:sqs:${REGION}:${ACCOUNT}:${id}`;
        if (attribute === 'QueueName') return id;
        return `${sqsEndpoint}/${ACCOUNT}/${id}`;
      case 'AWS::SecretsManager::Secret':
        return secretArns.get(id);
      case 'AWS::S3::Bucket':
        return attribute === 'Arn'
          ? `arn:aws:s3:::rehearsal-${id.toLowerCase()}`
          : `rehearsal-${id.toLowerCase()}`;
      default:
        return undefined;
    }
  },
});

/** The template's tables, created in dynalite from the template's own key schemas and indexes. */
const createTables = async (template: Template, endpoint: string) => {
  const client = localDynamoClient(endpoint);
  for (const [id, table] of resourcesOfType(template, 'AWS::DynamoDB::Table')) {
    const properties = table.Properties ?? {};
    await client.send(
      new CreateTableCommand({
        TableName: `rehearsal-${id}`,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: properties.KeySchema,
        AttributeDefinitions: properties.AttributeDefinitions,
        GlobalSecondaryIndexes: properties.GlobalSecondaryIndexes,
      } as CreateTableCommandInput),
    );
  }
  client.destroy();
};

/**
 * The template "deployed" on this machine: dynalite, the AWS stand-ins, the sandbox Graph API, the stack's
 * secrets holding rehearsal values, and one warm container per function running its bundle from `cdk.out`.
 */
export const deploy = async (template: Template, cdkOut: string, root: string) => {
  const dynamo = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => dynamo.listen(0, '127.0.0.1', () => resolve()));
  const dynamoEndpoint = `http://127.0.0.1:${(dynamo.address() as AddressInfo).port}`;
  await createTables(template, dynamoEndpoint);
  const aws = await startAwsStandIns(REGION, ACCOUNT, dynamoEndpoint);
  const functions = functionsOf(template);
  const identity = functions.find((fn) => fn.environment.META_APP_ID !== undefined)?.environment ?? {};
  const sandbox = await startSandboxGraph({
    appId: String(identity.META_APP_ID),
    businessId: String(identity.META_BUSINESS_ID),
    systemUserToken: META_SECRET.META_SYSTEM_USER_TOKEN,
    pageToken: PAGE_TOKEN,
  });
  const secretArns = new Map<string, string>();
  for (const [id] of resourcesOfType(template, 'AWS::SecretsManager::Secret')) {
    const value = id.startsWith('MetaSecret') ? META_SECRET : { '*': PAGE_TOKEN };
    secretArns.set(id, aws.putSecret(id, JSON.stringify(value)).arn);
  }
  const names = standInNames(aws.endpoint, secretArns);
  const environment = (fn: FunctionSpec): Record<string, string> => {
    const variables = Object.fromEntries(
      Object.entries(fn.environment).map(([name, value]) => [name, resolveValue(template, value, names)]),
    );
    // The one deliberate substitution: Meta's Graph API is the sandbox here.
    if (variables.GRAPH_API_BASE_URL !== undefined) variables.GRAPH_API_BASE_URL = sandbox.baseUrl;
    return {
      ...variables,
      PATH: '/usr/local/bin:/usr/bin:/bin',
      LANG: 'en_US.UTF-8',
      TZ: ':UTC',
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: REGION,
      AWS_ACCESS_KEY_ID: fn.logicalId,
      AWS_SECRET_ACCESS_KEY: 'rehearsal',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_LAMBDA_FUNCTION_NAME: fn.logicalId,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
      AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
      AWS_LAMBDA_LOG_FORMAT: 'JSON',
      ...(fn.logLevel === undefined ? {} : { AWS_LAMBDA_LOG_LEVEL: fn.logLevel }),
      AWS_ENDPOINT_URL_DYNAMODB: aws.endpoint,
      AWS_ENDPOINT_URL_SQS: aws.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.endpoint,
      AWS_ENDPOINT_URL_S3: aws.endpoint,
      AWS_ENDPOINT_URL_FIREHOSE: aws.endpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: aws.endpoint,
    };
  };
  const runtimes = new Set(functions.map((fn) => fn.runtime));
  const binaries = new Map([...runtimes].map((runtime) => [runtime, runtimeBinary(runtime, root)]));
  const containers = new Map<string, FunctionContainer>();
  for (const fn of functions) {
    const binary = binaries.get(fn.runtime) ?? runtimeBinary(fn.runtime, root);
    const container = new FunctionContainer(fn, cdkOut, binary.path, environment(fn));
    containers.set(fn.logicalId, container);
  }
  await Promise.all([...containers.values()].map((container) => container.start()));
  return {
    template,
    aws,
    sandbox,
    names,
    containers,
    binaries,
    async close() {
      for (const container of containers.values()) container.stop();
      await aws.close();
      await sandbox.close();
      await new Promise<void>((resolve) => dynamo.close(() => resolve()));
    },
  };
};

export type Deployment = Awaited<ReturnType<typeof deploy>>;
