import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUNDLING } from '../../infra/config/bundling.js';
import { RECONCILE_SAFETY_MARGIN, RECONCILE_TIMEOUT } from '../../infra/constructs/reconciliation.js';
import { CONSUMER_TIMEOUT } from '../../infra/constructs/stateful.js';
import { createSwitchboard } from '../../infra/create-switchboard.js';
import { ROUTES } from '../../shared/app/routes.js';
import { DOMAINS } from '../../shared/domains/registry.js';
import { WEBHOOK_ACTIONS } from './constructs/isolated.js';

type Resource = { Type: string; Properties: Record<string, unknown> };
type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

let template: Template;
let resources: Record<string, Resource>;

/** Synthesizes the real app (both cdk-nag packs) without bundling the functions. */
/** The reference's example IDs, as a user passes them with `-c`. */
const EXAMPLE_CONTEXT = {
  'switchboard:metaAppId': '21202248997039',
  'switchboard:metaBusinessId': '506914307656634',
  'switchboard:metaPartnerBusinessIds': '116133292427920',
};

const synth = (context: Record<string, unknown> = {}, env?: { account: string; region: string }) => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...EXAMPLE_CONTEXT, ...context } });
  const stack = createSwitchboard(app, env ?? { account: undefined, region: undefined });
  app.synth(); // throws on any unacknowledged cdk-nag finding
  return Template.fromStack(stack);
};

beforeAll(() => {
  template = synth();
  resources = template.toJSON().Resources as Record<string, Resource>;
});

const logicalId = (type: string, prefix: string): string => {
  // Functions sit inside their concern's construct: their logical IDs hold the construct ID first.
  const id = Object.keys(resources).find((key) => key.includes(prefix) && resources[key]?.Type === type);
  if (id === undefined) throw new Error(`no ${type} named like ${prefix}`);
  return id;
};

/** Every statement of the policies attached to a function's role. */
const statementsOf = (functionPrefix: string): Statement[] => {
  const fn = resources[logicalId('AWS::Lambda::Function', functionPrefix)];
  if (fn === undefined) throw new Error(`no function ${functionPrefix}`);
  const roleRef = JSON.stringify((fn.Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]);
  return Object.values(resources)
    .filter(
      (resource) =>
        resource.Type === 'AWS::IAM::Policy' && JSON.stringify(resource.Properties.Roles).includes(roleRef),
    )
    .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
};

const actionsOn = (statements: Statement[], resourcePrefix: string): string[] =>
  statements
    .filter((statement) => JSON.stringify(statement.Resource).includes(resourcePrefix))
    .flatMap((statement) => (Array.isArray(statement.Action) ? statement.Action : [statement.Action]))
    .sort();

const allActions = (statements: Statement[]) =>
  [...new Set(statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])))].sort();

describe('the stack', () => {
  it('synthesizes for a concrete account and region too, as `cdk deploy` with credentials does', () => {
    expect(() => synth({}, { account: '123456789012', region: 'eu-west-1' })).not.toThrow();
    expect(() =>
      synth({ 'switchboard:businessTokens': true }, { account: '123456789012', region: 'eu-west-1' }),
    ).not.toThrow();
  });

  it('refuses at synth an empty or malformed app, business or partner ID, naming the flag to pass', () => {
    expect(() => synth({ 'switchboard:metaAppId': '' })).toThrow(/-c switchboard:metaAppId=<ID>/);
    expect(() => synth({ 'switchboard:metaBusinessId': '' })).toThrow(/-c switchboard:metaBusinessId=<ID>/);
    expect(() => synth({ 'switchboard:metaPartnerBusinessIds': '116133292427920,abc' })).toThrow(/"abc"/);
  });

  it('lets CloudWatch alarms publish to the TLS-only alarm topic', () => {
    const policies = Object.values(template.findResources('AWS::SNS::TopicPolicy')) as Resource[];
    expect(policies).toHaveLength(1);
    const document = policies[0]?.Properties.PolicyDocument as { Statement?: unknown[] } | undefined;
    const statements = document?.Statement ?? [];
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
      }),
    );
  });

  it("alarms on the webhook's own 5xx, and on the API's own faults apart, never on the stage-wide 5xx", () => {
    const alarms = template.findResources('AWS::CloudWatch::Alarm');
    const webhook = Object.entries(alarms).find(([id]) => id.includes('Webhook5xx'))?.[1] as Resource;
    const api = Object.entries(alarms).find(([id]) => id.includes('Api5xxActions'))?.[1] as Resource;
    expect(JSON.stringify(webhook.Properties.Metrics)).toContain('HttpServerErrors');
    expect(JSON.stringify(webhook.Properties.Metrics)).not.toMatch(/ApiGateway|"actions"|"api"/);
    expect(JSON.stringify(api.Properties.Metrics)).toMatch(/"actions"/);
    expect(JSON.stringify(alarms)).not.toContain('AWS/ApiGateway');
  });

  it('retains both stack secrets with the tables, and may tag and encrypt business-token secrets', () => {
    const secrets = Object.values(template.findResources('AWS::SecretsManager::Secret')) as (Resource & {
      DeletionPolicy?: string;
    })[];
    expect(secrets.map((secret) => secret.DeletionPolicy)).toEqual(['Retain', 'Retain']);
    expect(allActions(statementsOf('Actions'))).toContain('secretsmanager:TagResource');
    const key = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const encrypted = synth({ 'switchboard:businessTokenKmsKeyArn': key });
    const kms = JSON.stringify(encrypted.findResources('AWS::IAM::Policy'));
    expect(kms).toContain('kms:GenerateDataKey');
    expect(kms).toContain(key);
    expect(() => synth({ 'switchboard:businessTokenKmsKeyArn': 'not-an-arn' })).toThrow(/KMS key ARN/);
  });

  it('never retries or overlaps a scheduled reconciliation on top of the schedule', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 0 });
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 0 } })],
    });
    expect(actionsOn(statementsOf('Reconcile'), 'Statecontrol')).toContain('dynamodb:UpdateItem');
    // Not by reserved concurrency: Lambda refuses a reservation that leaves a new account (quota 10) below its
    // minimum unreserved concurrency, so the first `cdk deploy` there would fail.
    const reserving = template.findResources('AWS::Lambda::Function', {
      Properties: { ReservedConcurrentExecutions: Match.anyValue() },
    });
    expect(Object.keys(reserving)).toEqual([]);
  });

  it('synthesizes with zero unacknowledged cdk-nag findings (AwsSolutions and Serverless)', () => {
    expect(() => synth()).not.toThrow();
    expect(() =>
      synth({ 'switchboard:businessTokens': true, 'switchboard:alarmEmail': 'ops@example.com' }),
    ).not.toThrow();
  });

  it('gives every queue a DLQ with maxReceiveCount 5, SSL only, encryption and 14 days of retention', () => {
    const queues = template.findResources('AWS::SQS::Queue', {
      Properties: { RedrivePolicy: Match.anyValue() },
    });
    expect(Object.keys(queues)).toHaveLength(6);
    for (const queue of Object.values(queues) as Resource[]) {
      expect(queue.Properties).toMatchObject({
        RedrivePolicy: { maxReceiveCount: 5 },
        SqsManagedSseEnabled: true,
        MessageRetentionPeriod: 1_209_600,
      });
    }
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy')) as Resource[];
    // Twelve queues and DLQs (four domains, passthrough, business tokens), and the domain events' stream
    // failure destination.
    expect(policies).toHaveLength(13);
    for (const policy of policies) {
      expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    }
  });

  it('hides a consumer batch for at least 6 × the consumer timeout', () => {
    for (const prefix of ['SolutionsQueue', 'WabasQueue', 'ThreadsQueue', 'WhatsappThreadsQueue']) {
      const id = Object.keys(resources).find(
        (key) => key.startsWith(prefix) && !key.includes('Dlq') && resources[key]?.Type === 'AWS::SQS::Queue',
      );
      const queue = resources[id ?? ''];
      expect(queue).toBeDefined();
      expect(queue?.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * CONSUMER_TIMEOUT.toSeconds());
    }
    for (const prefix of [
      'SolutionsConsumer',
      'WabasConsumer',
      'ThreadsConsumer',
      'WhatsappThreadsConsumer',
    ]) {
      expect(resources[logicalId('AWS::Lambda::Function', prefix)]?.Properties.Timeout).toBe(
        CONSUMER_TIMEOUT.toSeconds(),
      );
    }
  });

  it('runs every function on Node.js 24 (or newer) on arm64', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function')) as Resource[];
    const ours = functions.filter((fn) => String(fn.Properties.Handler) === 'index.handler');
    // webhook, api, actions, reconcile, events, privacy, and one consumer per domain.
    expect(ours).toHaveLength(6 + DOMAINS.length);
    for (const fn of ours)
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'] });
    // The bundle is compiled for the Node major the runtime gives it (and the rehearsal runs it on).
    const majors = new Set(ours.map((fn) => /^nodejs(\d+)\.x$/.exec(String(fn.Properties.Runtime))?.[1]));
    expect([...majors].map((major) => `node${major}`)).toEqual([BUNDLING.target]);
  });

  it('consumes each domain queue with batch failures reported and capped concurrency', () => {
    const mappings = (
      Object.values(template.findResources('AWS::Lambda::EventSourceMapping')) as Resource[]
    ).filter((mapping) => !JSON.stringify(mapping.Properties.EventSourceArn).includes('StreamArn'));
    expect(mappings).toHaveLength(5);
    for (const mapping of mappings) {
      expect(mapping.Properties).toMatchObject({
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: expect.any(Number) },
      });
    }
  });

  it('throttles the stage and the webhook route, and writes access logs', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      RouteSettings: {
        'POST /webhook': { ThrottlingRateLimit: 500, ThrottlingBurstLimit: 1000 },
        'GET /webhook': { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 },
      },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
    });
  });

  it('requires IAM on every /v1 route and leaves only the webhook, health check and data deletion callback public', () => {
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')) as Resource[];
    expect(routes).toHaveLength(ROUTES.routes.length);
    for (const route of routes) {
      const key = String(route.Properties.RouteKey);
      const expected = key.includes(' /v1/') ? 'AWS_IAM' : 'NONE';
      expect([key, route.Properties.AuthorizationType]).toEqual([key, expected]);
    }
    expect(
      routes
        .filter((route) => route.Properties.AuthorizationType === 'NONE')
        .map((route) => route.Properties.RouteKey)
        .sort(),
    ).toEqual([
      'GET /data-deletion/{confirmationCode}',
      'GET /healthz',
      'GET /webhook',
      'POST /data-deletion',
      'POST /webhook',
    ]);
  });

  it('keeps state in on-demand tables with PITR, deletion protection and retention, keys as documented', () => {
    const tables = template.findResources('AWS::DynamoDB::Table');
    expect(Object.keys(tables)).toHaveLength(5);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
    for (const table of Object.values(tables) as (Resource & { DeletionPolicy: string })[]) {
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.Properties).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        DeletionProtectionEnabled: true,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      });
    }
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'solutionId', KeyType: 'HASH' }],
    });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pageId', KeyType: 'HASH' },
        { AttributeName: 'userId', KeyType: 'RANGE' },
      ],
    });
    // WhatsApp threads: a keys-only index by user (erasure), so busy writes never write the index.
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'phoneNumberId', KeyType: 'HASH' },
        { AttributeName: 'userId', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byUser',
          KeySchema: [
            { AttributeName: 'userId', KeyType: 'HASH' },
            { AttributeName: 'phoneNumberId', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ],
    });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'wabaId', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'bySolution',
          KeySchema: [
            { AttributeName: 'solutionId', KeyType: 'HASH' },
            { AttributeName: 'wabaId', KeyType: 'RANGE' },
          ],
        },
        {
          IndexName: 'byObservedSolution',
          KeySchema: [
            { AttributeName: 'observedSolutionId', KeyType: 'HASH' },
            { AttributeName: 'wabaId', KeyType: 'RANGE' },
          ],
        },
        {
          // Onboardings by overall state (GET /v1/onboardings): one index added (CloudFormation adds one per update).
          IndexName: 'byOnboardingState',
          KeySchema: [
            { AttributeName: 'onboardingState', KeyType: 'HASH' },
            { AttributeName: 'wabaId', KeyType: 'RANGE' },
          ],
        },
      ],
    });
  });

  it('the webhook may only send to its five queues, put claim checks, archive and read its secret', () => {
    const statements = statementsOf('Webhook');
    expect(allActions(statements)).toEqual(WEBHOOK_ACTIONS);
    const sqs = statements.filter((s) => JSON.stringify(s.Action).includes('sqs:'));
    const queues = new Set(sqs.map((s) => JSON.stringify(s.Resource)));
    expect(queues.size).toBe(5);
    for (const queue of queues) expect(queue).not.toMatch(/Dlq|BusinessTokens/);
    const puts = statements.filter((s) => s.Action === 's3:PutObject').map((s) => JSON.stringify(s.Resource));
    expect(puts.join()).toContain('/claims/*');
    expect(puts.join()).toContain('/large/*');
    expect(
      JSON.stringify(
        statements.filter((s) => JSON.stringify(s.Action).includes('secretsmanager')).map((s) => s.Resource),
      ),
    ).toContain('MetaSecret');
    expect(JSON.stringify(statements)).not.toContain('dynamodb');
  });

  it('each consumer and the actions function may send an invalid message only to their own DLQ (SendMessage alone)', () => {
    for (const [prefix, dlq] of [
      ['SolutionsConsumer', 'SolutionsQueueDlq'],
      ['WabasConsumer', 'WabasQueueDlq'],
      ['ThreadsConsumer', 'ThreadsQueueDlq'],
      ['WhatsappThreadsConsumer', 'WhatsappThreadsQueueDlq'],
      ['Actions', 'BusinessTokensQueueDlq'],
    ] as const) {
      const sends = statementsOf(prefix).filter((s) => JSON.stringify(s.Action).includes('sqs:SendMessage'));
      expect(sends, prefix).toHaveLength(1);
      expect(sends[0]?.Action, prefix).toBe('sqs:SendMessage');
      expect(JSON.stringify(sends[0]?.Resource), prefix).toContain(dlq);
    }
  });

  it('each consumer may only write its own table (UpdateItem), and has no S3 at all', () => {
    for (const [prefix, table] of [
      ['SolutionsConsumer', 'Statesolutions'],
      ['WabasConsumer', 'Statewabas'],
      ['ThreadsConsumer', 'Statethreads'],
      ['WhatsappThreadsConsumer', 'Statewhatsappthreads'],
    ] as const) {
      const statements = statementsOf(prefix);
      const dynamo = statements.filter((s) => JSON.stringify(s.Action).includes('dynamodb'));
      expect(dynamo).toHaveLength(1);
      expect(dynamo[0]?.Action).toBe('dynamodb:UpdateItem');
      expect(JSON.stringify(dynamo[0]?.Resource)).toContain(table);
      expect(allActions(statements).filter((action) => action.startsWith('s3:'))).toEqual([]);
      expect(JSON.stringify(statements)).not.toContain('secretsmanager');
    }
  });

  it('the read API only reads', () => {
    const actions = allActions(statementsOf('ReadApi')).filter((action) => action.startsWith('dynamodb:'));
    expect(actions).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan']);
  });

  it('schedules reconciliation (15 minutes by default) with a timeout above its run budget, reading the Meta secret only', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(15 minutes)',
      State: 'ENABLED',
    });
    const fn = resources[logicalId('AWS::Lambda::Function', 'Reconcile')];
    if (fn === undefined) throw new Error('no reconcile function');
    expect(fn.Properties.Timeout).toBe(RECONCILE_TIMEOUT.toSeconds());
    expect(
      (fn.Properties.Environment as { Variables: Record<string, string> }).Variables
        .RECONCILE_SAFETY_MARGIN_MS,
    ).toBe(String(RECONCILE_SAFETY_MARGIN.toMilliseconds()));
    const statements = statementsOf('Reconcile');
    expect(actionsOn(statements, 'Statesolutions')).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:GetItem',
      'dynamodb:Query',
      'dynamodb:Scan',
      'dynamodb:UpdateItem',
    ]);
    expect(JSON.stringify(statements)).not.toMatch(
      /Statethreads|PageTokensSecret|s3:PutObject","Resource":\{"Fn::Join":\["",\[\{"Fn::GetAtt":\["DeliveryArchive/,
    );
    // Replay: the webhook's five queues (never a DLQ), claim checks, and reading the archive.
    const sends = statements
      .filter((s) => s.Action === 'sqs:SendMessage')
      .map((s) => JSON.stringify(s.Resource));
    expect(sends).toHaveLength(5);
    expect(sends.join()).not.toMatch(/Dlq|BusinessTokens/);
    expect(
      synth({ 'switchboard:reconcileRateMinutes': 60 }).findResources('AWS::Events::Rule', {
        Properties: { ScheduleExpression: 'rate(1 hour)' },
      }),
    ).not.toEqual({});
  });

  it('only the actions function reads page tokens and writes business-token secrets', () => {
    for (const prefix of [
      'Webhook',
      'SolutionsConsumer',
      'WabasConsumer',
      'ThreadsConsumer',
      'WhatsappThreadsConsumer',
      'ReadApi',
      'Reconcile',
    ]) {
      const text = JSON.stringify(statementsOf(prefix));
      expect(text, prefix).not.toContain('PageTokensSecret');
      expect(text, prefix).not.toMatch(/CreateSecret|PutSecretValue/);
    }
    const actions = statementsOf('Actions');
    expect(JSON.stringify(actions)).toContain('PageTokensSecret');
    const writes = actions.filter((s) => JSON.stringify(s.Action).includes('PutSecretValue'));
    expect(writes).toHaveLength(1);
    expect(JSON.stringify(writes[0]?.Resource)).toContain('/business-tokens/*');
  });

  it('alarms on DLQs, consumer errors, webhook 5xx and latency, reconciliation failure and drift, and the onboarding limit', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Resource[];
    const names = alarms.map((alarm) => String(alarm.Properties.AlarmDescription));
    for (const topic of [
      'DLQ',
      'invocations failed',
      'Records failing',
      'answered 5xx',
      'p99',
      'reconciliation run failed',
      'no webhook announced',
      'rolling 7 days',
      'Domain events could not be published',
      'No reconciliation sweep completed',
    ]) {
      expect(
        names.some((name) => name.includes(topic)),
        topic,
      ).toBe(true);
    }
    expect(alarms.filter((alarm) => String(alarm.Properties.AlarmDescription).includes('DLQ'))).toHaveLength(
      6,
    );
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'CustomerOnboarded',
      Period: 604_800,
      Threshold: 160,
    });
    // CloudWatch refuses SEARCH expressions in alarms (dashboards only).
    expect(JSON.stringify(alarms)).not.toContain('SEARCH(');
    const failures = alarms.find((alarm) =>
      String(alarm.Properties.AlarmDescription).includes('Records failing'),
    );
    expect(JSON.stringify(failures?.Properties.Metrics)).toContain('{"Name":"Outcome","Value":"failed"}');
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    expect(
      synth({ 'switchboard:alarmEmail': 'ops@example.com' }).findResources('AWS::SNS::Subscription', {
        Properties: { Protocol: 'email', Endpoint: 'ops@example.com' },
      }),
    ).not.toEqual({});
  });

  it('keeps claim checks encrypted, TLS-only, private and expiring', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      LifecycleConfiguration: { Rules: [{ ExpirationInDays: 15, Status: 'Enabled' }] },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('outputs the webhook URL, the secret ARNs, the queue URLs, the event bus, its schemas and the archive', () => {
    const outputs = Object.keys(template.toJSON().Outputs as object);
    for (const name of [
      'WebhookUrl',
      'MetaSecretArn',
      'PageTokensSecretArn',
      'SolutionsQueueUrl',
      'WabasQueueUrl',
      'ThreadsQueueUrl',
      'PassthroughQueueUrl',
      'EventBusName',
      'EventSchemaRegistryName',
      'ArchiveBucketName',
    ]) {
      expect(outputs).toContain(name);
    }
  });
});
