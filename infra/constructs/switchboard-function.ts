import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  ApplicationLogLevel,
  Architecture,
  LoggingFormat,
  Runtime,
  SystemLogLevel,
} from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource, type SqsEventSourceProps } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { BUNDLING, FUNCTION_ENVIRONMENT } from '../config/bundling.js';
import { acknowledge } from '../config/nag.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `RO` reads, `W` only the conditional register write, `RW` both. */
export type AccessMode = 'RO' | 'W' | 'RW';

const READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:Scan'];
const WRITE_ACTIONS = ['dynamodb:UpdateItem'];
const TABLE_ACTIONS: Record<AccessMode, string[]> = {
  RO: READ_ACTIONS,
  W: WRITE_ACTIONS,
  RW: [...READ_ACTIONS, ...WRITE_ACTIONS],
};

export interface SwitchboardFunctionProps
  extends Omit<NodejsFunctionProps, 'entry' | 'runtime' | 'architecture' | 'role'> {
  /** The folder under `functions/`: the entry point is `functions/<name>/handler.ts` (unless `entry` says). */
  name: string;
  /** The entry point, relative to the repository, when it is not `functions/<name>/handler.ts`. */
  entry?: string;
  /** How it is invoked: decides what a failed invocation leaves behind (see the DLQ acknowledgement). */
  invokedBy: 'api' | 'queue' | 'api+queue' | 'schedule' | 'stream';
}

const INVOCATION_FAILURES: Record<SwitchboardFunctionProps['invokedBy'], string> = {
  api: 'Invoked synchronously by API Gateway: the caller receives the error; there is no event to keep.',
  queue:
    'Invoked by an SQS event source, where failed messages go to the queue\u2019s own DLQ through its redrive policy.',
  'api+queue':
    'Invoked synchronously (API Gateway) or by an SQS event source, where failed messages go to the queue\u2019s own DLQ through its redrive policy.',
  stream:
    'Invoked by DynamoDB stream event sources, whose on-failure destination is an SQS queue (the stream record positions that could not be processed).',
  schedule:
    'Invoked by the schedule with an empty event: nothing to keep in a DLQ; failures raise the ReconcileFailed alarm and the next run repeats the work.',
};

/**
 * A Switchboard Lambda function with the project's defaults: Node.js 24 on arm64 (bundled for node24), ESM, minified with
 * source maps, JSON logs in its own log group, and a role that starts empty: it may write its own logs,
 * and each `bind*` helper adds an environment variable together with the narrowest grant it needs.
 */
export class SwitchboardFunction extends NodejsFunction {
  public constructor(scope: Construct, id: string, props: SwitchboardFunctionProps) {
    const { name, entry, environment, invokedBy, ...rest } = props;
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Switchboard ${name} function`,
    });
    logGroup.grantWrite(role);
    super(scope, id, {
      entry: join(root, entry ?? join('functions', name, 'handler.ts')),
      projectRoot: root,
      depsLockFilePath: join(root, 'package-lock.json'),
      handler: 'handler',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.seconds(30),
      loggingFormat: LoggingFormat.JSON,
      // Application logs at INFO; the platform's START/END/REPORT lines (INFO) are not ingested: they
      // are billed log volume per invocation and CloudWatch's Lambda metrics carry the same figures.
      applicationLogLevelV2: ApplicationLogLevel.INFO,
      systemLogLevelV2: SystemLogLevel.WARN,
      logGroup,
      role,
      bundling: BUNDLING,
      ...rest,
      environment: {
        ...FUNCTION_ENVIRONMENT,
        POWERTOOLS_SERVICE_NAME: name,
        ...environment,
      },
    });
    acknowledge(
      this,
      'Serverless-LambdaTracing',
      'Every log line carries the event and delivery IDs and the metrics cover each stage; X-Ray would add cost and a wildcard grant. Turn on `tracing: Tracing.ACTIVE` in SwitchboardFunction to trace.',
    );
    acknowledge(this, 'Serverless-LambdaDLQ', INVOCATION_FAILURES[invokedBy]);
  }

  /**
   * Consumes a queue with per-record failures reported: a failed record stays in the queue and its redrive
   * policy moves it to the queue's DLQ, which is the event source's failure destination.
   */
  public consume(queue: IQueue, options: Omit<SqsEventSourceProps, 'reportBatchItemFailures'>): this {
    this.addEventSource(new SqsEventSource(queue, { ...options, reportBatchItemFailures: true }));
    acknowledge(
      this,
      'Serverless-LambdaEventSourceMappingDestination',
      'SQS event sources keep failed messages in the queue; its redrive policy moves them to the queue\u2019s DLQ after 5 receives, which is the failure destination.',
    );
    return this;
  }

  /** Grants exactly the DynamoDB actions of `mode` on the table and the named indexes. */
  public bindTable(
    table: ITable,
    mode: AccessMode,
    variable: string,
    indexNames: readonly string[] = [],
  ): this {
    this.addEnvironment(variable, table.tableName);
    const readsIndexes = mode !== 'W' && indexNames.length > 0;
    this.addToRolePolicy(
      new PolicyStatement({
        actions: TABLE_ACTIONS[mode],
        resources: [
          table.tableArn,
          ...(readsIndexes ? indexNames.map((index) => `${table.tableArn}/index/${index}`) : []),
        ],
      }),
    );
    return this;
  }

  /**
   * Sending only: `sqs:SendMessage` (which also covers `SendMessageBatch`) on that queue. The code holds the
   * URL, so the `GetQueueUrl`/`GetQueueAttributes` that `grantSendMessages` adds are left out. A queue
   * encrypted with a customer key would also need that key (ours use SQS-managed encryption).
   */
  public bindQueueSend(queue: IQueue, variable: string): this {
    this.addEnvironment(variable, queue.queueUrl);
    this.addToRolePolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }));
    queue.encryptionMasterKey?.grantEncryptDecrypt(this);
    return this;
  }

  public bindSecretRead(secret: ISecret, variable: string): this {
    this.addEnvironment(variable, secret.secretArn);
    secret.grantRead(this);
    return this;
  }

  /** Claim checks: `PUT` may only write objects under the prefix, `GET` only read them. */
  public bindClaimChecks(bucket: IBucket, mode: 'PUT' | 'GET', variable: string, prefix: string): this {
    this.addEnvironment(variable, bucket.bucketName);
    this.addToRolePolicy(
      new PolicyStatement({
        actions: [mode === 'PUT' ? 's3:PutObject' : 's3:GetObject'],
        resources: [bucket.arnForObjects(`${prefix}*`)],
      }),
    );
    return this;
  }
}
