import { ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnStage,
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { CLAIM_PREFIX, ENV, META_SECRET_KEYS } from '../shared/constants.js';
import { ROUTES, type RoutedFunction } from '../shared/http/routes.js';
import { TABLES } from '../shared/store/tables.js';
import { DomainQueue } from './constructs/domain-queue.js';
import { Monitoring } from './constructs/monitoring.js';
import { StateTables } from './constructs/state-tables.js';
import { SwitchboardFunction } from './constructs/switchboard-function.js';
import { acknowledge, arnToken, nagEnvironment } from './nag.js';
import { readSettings } from './settings.js';

/** Consumer timeout; queues hide a received batch for 6 × this long. */
export const CONSUMER_TIMEOUT = Duration.seconds(30);
/** The reconciler's Lambda timeout; its run budget stops it cleanly before that. */
export const RECONCILE_TIMEOUT = Duration.minutes(5);
/** Kept free before the reconciler's timeout to write its summary. */
export const RECONCILE_SAFETY_MARGIN = Duration.seconds(15);

const WABA_INDEXES = TABLES.wabas.indexes.map((index) => index.name);

export class SwitchboardStack extends Stack {
  public constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const settings = readSettings(this.node);

    // Secrets: one JSON secret for Meta's app credentials, one for page access tokens. The generated
    // verify token is usable as is; the README gives the one command that sets the real values.
    // Both secrets are retained with the tables when the stack is deleted: they hold the credentials the
    // retained state was built with, and a redeploy can adopt them.
    const metaSecret = new Secret(this, 'MetaSecret', {
      removalPolicy: RemovalPolicy.RETAIN,
      description: 'Switchboard: Meta app secret, verify token and system user token (JSON)',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({
          [META_SECRET_KEYS.appSecret]: '',
          [META_SECRET_KEYS.appSecretPrevious]: '',
          [META_SECRET_KEYS.systemUserToken]: '',
        }),
        generateStringKey: META_SECRET_KEYS.verifyToken,
        excludePunctuation: true,
        passwordLength: 40,
      },
    });
    const pageTokensSecret = new Secret(this, 'PageTokensSecret', {
      removalPolicy: RemovalPolicy.RETAIN,
      description: 'Switchboard: page access tokens, JSON object page ID -> token ("*" for every page)',
      generateSecretString: { secretStringTemplate: '{}', generateStringKey: 'unused', passwordLength: 8 },
    });
    for (const secret of [metaSecret, pageTokensSecret]) {
      acknowledge(
        secret,
        'AwsSolutions-SMG4',
        'Meta issues these credentials: they are rotated in the Meta App Dashboard, not by a Lambda. META_APP_SECRET_PREVIOUS keeps deliveries valid while the app secret rotates.',
      );
    }
    const businessTokenPrefix = `${this.stackName}/business-tokens/`;

    // Queues: one per domain plus passthrough for everything else Meta sends, and the business-token jobs.
    const visibilityTimeout = Duration.seconds(CONSUMER_TIMEOUT.toSeconds() * 6);
    const queues = {
      solutions: new DomainQueue(this, 'SolutionsQueue', { visibilityTimeout }),
      wabas: new DomainQueue(this, 'WabasQueue', { visibilityTimeout }),
      threads: new DomainQueue(this, 'ThreadsQueue', { visibilityTimeout }),
      passthrough: new DomainQueue(this, 'PassthroughQueue', { visibilityTimeout: Duration.seconds(60) }),
      businessTokens: new DomainQueue(this, 'BusinessTokensQueue', { visibilityTimeout }),
    };

    const claimChecks = new Bucket(this, 'ClaimChecks', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      // Claims outlive the messages that point at them (14 days of queue retention).
      lifecycleRules: [{ expiration: Duration.days(15) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      claimChecks,
      'AwsSolutions-S1',
      'Holds transient claim checks written only by the webhook role and read only by the consumer roles; CloudTrail records the API calls. Server access logs would add a second bucket for no new information.',
    );
    const claimObjects = `Resource::${arnToken(claimChecks)}/${CLAIM_PREFIX}*`;

    const { tables } = new StateTables(this, 'State');
    const identity = {
      [ENV.metaAppId]: settings.metaAppId,
      [ENV.metaBusinessId]: settings.metaBusinessId,
      [ENV.metaPartnerBusinessIds]: settings.metaPartnerBusinessIds,
      [ENV.graphApiBaseUrl]: settings.graphApiBaseUrl,
    };

    // Webhook: verify, split, queue. It may only send to its queues, put claim checks and read its secret.
    const webhook = new SwitchboardFunction(this, 'Webhook', {
      name: 'webhook',
      memorySize: 512,
      timeout: Duration.seconds(29),
    })
      .bindQueueSend(queues.solutions.queue, ENV.solutionsQueueUrl)
      .bindQueueSend(queues.wabas.queue, ENV.wabasQueueUrl)
      .bindQueueSend(queues.threads.queue, ENV.threadsQueueUrl)
      .bindQueueSend(queues.passthrough.queue, ENV.passthroughQueueUrl)
      .bindClaimChecks(claimChecks, 'PUT', ENV.claimCheckBucket, CLAIM_PREFIX)
      .bindSecretRead(metaSecret, ENV.metaSecretArn);
    acknowledge(
      webhook.role ?? webhook,
      `AwsSolutions-IAM5[${claimObjects}]`,
      'A claim check is one object per oversized change, named by its event ID: the keys are not known in advance. The grant is PutObject under the claims/ prefix only.',
    );

    // Consumers: each may only apply register writes to its own table and read claim checks.
    const consumer = (id: string, name: 'solutions' | 'wabas' | 'threads', tableVariable: string) => {
      const fn = new SwitchboardFunction(this, id, { name, timeout: CONSUMER_TIMEOUT })
        .bindTable(tables[name], 'W', tableVariable)
        .bindClaimChecks(claimChecks, 'GET', ENV.claimCheckBucket, CLAIM_PREFIX)
        .bindQueueSend(queues[name].dlq, ENV.deadLetterQueueUrl);
      acknowledge(
        fn.role ?? fn,
        `AwsSolutions-IAM5[${claimObjects}]`,
        'Claim checks are read by key from the message; the grant is GetObject under the claims/ prefix only.',
      );
      fn.addEventSource(
        new SqsEventSource(queues[name].queue, {
          // Ten records per invocation and no batching window: under load the poller fills batches on
          // its own, and at low volume nothing waits, which keeps accepted → readable latency low.
          batchSize: 10,
          maxBatchingWindow: Duration.seconds(0),
          reportBatchItemFailures: true,
          // Caps concurrent writers per table; a burst waits in the queue instead of throttling.
          maxConcurrency: 5,
        }),
      );
      return fn;
    };
    const solutionsConsumer = consumer('SolutionsConsumer', 'solutions', ENV.solutionsTable);
    const wabasConsumer = consumer('WabasConsumer', 'wabas', ENV.wabasTable);
    const threadsConsumer = consumer('ThreadsConsumer', 'threads', ENV.threadsTable);
    wabasConsumer.addEnvironment(ENV.businessTokensEnabled, String(settings.businessTokens));
    wabasConsumer.addEnvironment(ENV.metaBusinessId, settings.metaBusinessId);
    if (settings.businessTokens)
      wabasConsumer.bindQueueSend(queues.businessTokens.queue, ENV.businessTokensQueueUrl);

    // Read API: reads only.
    const api = new SwitchboardFunction(this, 'ReadApi', { name: 'api', timeout: Duration.seconds(10) })
      .bindTable(tables.solutions, 'RO', ENV.solutionsTable)
      .bindTable(tables.wabas, 'RO', ENV.wabasTable, WABA_INDEXES)
      .bindTable(tables.threads, 'RO', ENV.threadsTable);

    // Reconciliation: the webhook fallback, on a schedule and on demand.
    const reconcile = new SwitchboardFunction(this, 'Reconcile', {
      name: 'reconcile',
      timeout: RECONCILE_TIMEOUT,
      memorySize: 512,
      // No async retries on top of the schedule: a failed run is redone by the next one, never beside it.
      retryAttempts: 0,
      maxEventAge: Duration.minutes(Math.min(settings.reconcileRateMinutes, 360)),
      environment: {
        ...identity,
        [ENV.reconcileSafetyMarginMs]: String(RECONCILE_SAFETY_MARGIN.toMilliseconds()),
      },
    })
      .bindTable(tables.solutions, 'RW', ENV.solutionsTable)
      .bindTable(tables.wabas, 'RW', ENV.wabasTable)
      .bindTable(tables.control, 'RW', ENV.controlTable)
      .bindSecretRead(metaSecret, ENV.metaSecretArn);
    acknowledge(
      reconcile,
      'Serverless-LambdaAsyncFailureDestination',
      'Scheduled runs carry an empty event: a failed run has nothing to keep, raises ReconcileFailed, and the next scheduled run redoes the work.',
    );
    const schedule = new Rule(this, 'ReconcileSchedule', {
      description: 'Switchboard reconciliation: the webhook fallback',
      schedule: Schedule.rate(Duration.minutes(settings.reconcileRateMinutes)),
      // EventBridge retries only a failed *delivery*; a failed run is redone by the next schedule.
      targets: [new LambdaFunction(reconcile, { retryAttempts: 0 })],
    });
    acknowledge(
      schedule,
      'Serverless-EventBusDLQ',
      'A scheduled run carries no data to keep: a missed run is redone by the next one, and the ReconcileFailed alarm watches the function.',
    );

    // Actions: calls to Meta recorded in state; the only reader of page tokens and writer of business tokens.
    const actions = new SwitchboardFunction(this, 'Actions', {
      name: 'actions',
      timeout: CONSUMER_TIMEOUT,
      environment: {
        ...identity,
        [ENV.businessTokenSecretPrefix]: businessTokenPrefix,
        [ENV.stackName]: this.stackName,
        ...(settings.businessTokenKmsKeyArn === ''
          ? {}
          : { [ENV.businessTokenKmsKeyId]: settings.businessTokenKmsKeyArn }),
      },
    })
      .bindTable(tables.solutions, 'RW', ENV.solutionsTable)
      .bindTable(tables.wabas, 'W', ENV.wabasTable)
      .bindTable(tables.threads, 'RW', ENV.threadsTable)
      .bindSecretRead(metaSecret, ENV.metaSecretArn)
      .bindSecretRead(pageTokensSecret, ENV.pageTokensSecretArn)
      .bindQueueSend(queues.businessTokens.dlq, ENV.deadLetterQueueUrl);
    const businessTokenSecrets = this.formatArn({
      service: 'secretsmanager',
      resource: 'secret',
      resourceName: `${businessTokenPrefix}*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    actions.addToRolePolicy(
      new PolicyStatement({
        // TagResource: CreateSecret with tags needs it.
        actions: [
          'secretsmanager:CreateSecret',
          'secretsmanager:PutSecretValue',
          'secretsmanager:TagResource',
        ],
        resources: [businessTokenSecrets],
      }),
    );
    if (settings.businessTokenKmsKeyArn !== '') {
      // Secrets Manager encrypts a new version with the caller's rights on a customer managed key.
      actions.addToRolePolicy(
        new PolicyStatement({
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [settings.businessTokenKmsKeyArn],
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${this.region}.amazonaws.com` } },
        }),
      );
    }
    const { account, region } = nagEnvironment(this);
    acknowledge(
      actions.role ?? actions,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:${region}:${account}:secret:${businessTokenPrefix}*]`,
      'One secret per customer business, created when the customer onboards: names are known only by their prefix, which this stack owns.',
    );
    actions.addEventSource(
      new SqsEventSource(queues.businessTokens.queue, {
        batchSize: 5,
        reportBatchItemFailures: true,
        maxConcurrency: 2,
      }),
    );

    const functions = [webhook, solutionsConsumer, wabasConsumer, threadsConsumer, api, reconcile, actions];
    for (const fn of functions) {
      acknowledge(
        fn,
        'Serverless-LambdaTracing',
        'Every log line carries the event and delivery IDs and the metrics cover each stage; X-Ray would add cost and a wildcard grant. Turn on `tracing: Tracing.ACTIVE` in SwitchboardFunction to trace.',
      );
      acknowledge(
        fn,
        'Serverless-LambdaDLQ',
        fn === reconcile
          ? 'Invoked by the schedule with an empty event: nothing to keep in a DLQ; failures raise the ReconcileFailed alarm and the next run repeats the work.'
          : 'Invoked synchronously (API Gateway) or by an SQS event source, where failed messages go to the queue\u2019s own DLQ through its redrive policy.',
      );
    }
    for (const fn of [solutionsConsumer, wabasConsumer, threadsConsumer, actions]) {
      acknowledge(
        fn,
        'Serverless-LambdaEventSourceMappingDestination',
        'SQS event sources keep failed messages in the queue; its redrive policy moves them to the queue\u2019s DLQ after 5 receives, which is the failure destination.',
      );
    }
    for (const domainQueue of Object.values(queues)) {
      acknowledge(
        domainQueue.dlq,
        'Serverless-SQSRedrivePolicy',
        'This queue is itself a dead-letter queue; its messages are moved back with `npm run redrive`.',
      );
    }

    // HTTP API: the routes of shared/http/routes.ts; /v1 requires SigV4, /webhook is public (HMAC-checked).
    const httpApi = new HttpApi(this, 'HttpApi', { description: 'Switchboard', createDefaultStage: false });
    const accessLogs = new LogGroup(this, 'HttpApiAccessLogs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const stage = new HttpStage(this, 'DefaultStage', {
      httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: 50, burstLimit: 100 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            routeKey: '$context.routeKey',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            integrationLatencyMs: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
            responseLength: '$context.responseLength',
            caller: '$context.identity.userArn',
          }),
        ),
      },
    });
    // Meta's deliveries get their own, higher limits; the /v1 routes keep the stage default.
    // RouteSettings is passed to CloudFormation as is, hence its property names.
    (stage.node.defaultChild as CfnStage).routeSettings = {
      'POST /webhook': { ThrottlingRateLimit: 500, ThrottlingBurstLimit: 1000 },
      'GET /webhook': { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 },
    };
    const integrations: Record<RoutedFunction, HttpLambdaIntegration> = {
      webhook: new HttpLambdaIntegration('WebhookIntegration', webhook),
      api: new HttpLambdaIntegration('ReadApiIntegration', api),
      actions: new HttpLambdaIntegration('ActionsIntegration', actions),
      reconcile: new HttpLambdaIntegration('ReconcileIntegration', reconcile),
    };
    const iam = new HttpIamAuthorizer();
    for (const route of ROUTES) {
      const [created] = httpApi.addRoutes({
        path: route.path,
        methods: [route.method === 'GET' ? HttpMethod.GET : HttpMethod.POST],
        integration: integrations[route.function],
        ...(route.auth === 'iam' ? { authorizer: iam } : {}),
      });
      if (created === undefined) continue;
      stage.node.addDependency(created);
      if (route.auth === 'none') {
        acknowledge(
          created,
          'AwsSolutions-APIG4',
          route.path === '/healthz'
            ? 'A load balancer-style health check: it answers only {"status":"ok"} and reveals no state.'
            : 'Meta cannot sign with SigV4. The function verifies X-Hub-Signature-256 (HMAC-SHA256 with the app secret) on every delivery and answers 401 before queueing anything.',
        );
      }
    }

    new Monitoring(this, 'Monitoring', {
      settings,
      webhook,
      consumers: [solutionsConsumer, wabasConsumer, threadsConsumer, actions],
      reconcile,
      httpFunctions: [
        { fn: api, service: 'api' },
        { fn: actions, service: 'actions' },
        { fn: reconcile, service: 'reconcile' },
      ],
      httpApi,
      stage,
      queues: Object.values(queues),
    });

    const url = stage.url;
    new CfnOutput(this, 'WebhookUrl', {
      value: `${url}webhook`,
      description: 'Callback URL for the Meta App Dashboard',
    });
    new CfnOutput(this, 'ApiUrl', { value: url, description: 'Base URL of the API (SigV4 for /v1)' });
    new CfnOutput(this, 'MetaSecretArn', { value: metaSecret.secretArn });
    new CfnOutput(this, 'PageTokensSecretArn', { value: pageTokensSecret.secretArn });
    new CfnOutput(this, 'ReconcileFunctionName', { value: reconcile.functionName });
    const title = (name: string) => `${name[0]?.toUpperCase()}${name.slice(1)}`;
    for (const [name, domainQueue] of Object.entries(queues)) {
      new CfnOutput(this, `${title(name)}QueueUrl`, { value: domainQueue.queue.queueUrl });
      new CfnOutput(this, `${title(name)}DlqUrl`, { value: domainQueue.dlq.queueUrl });
    }
    for (const [name, table] of Object.entries(tables))
      new CfnOutput(this, `${title(name)}TableName`, { value: table.tableName });
  }
}
