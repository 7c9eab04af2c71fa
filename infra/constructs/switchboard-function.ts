import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Architecture, LoggingFormat, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, type NodejsFunctionProps, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Bundling shared by every function (and by the benchmarks, which rebuild them the same way). */
export const BUNDLING = {
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  format: OutputFormat.ESM,
  target: 'node22',
  mainFields: ['module', 'main'],
  // The AWS SDK is bundled: a pinned, tree-shaken copy instead of the runtime's.
  externalModules: [] as string[],
  // Some bundled CommonJS dependencies call `require` for Node built-ins.
  banner: "import { createRequire } from 'node:module';const require = createRequire(import.meta.url);",
};

export type AccessMode = 'RO' | 'RW';

export interface SwitchboardFunctionProps
  extends Omit<NodejsFunctionProps, 'entry' | 'runtime' | 'architecture'> {
  /** The folder under `functions/`: the entry point is `functions/<name>/handler.ts`. */
  name: string;
}

/**
 * A Switchboard Lambda function with the project's defaults: Node.js 22 on arm64, ESM, minified with
 * source maps, JSON logs in a log group with a retention period, and `bind*` helpers that add the
 * environment variable and the narrowest grant together.
 */
export class SwitchboardFunction extends NodejsFunction {
  public constructor(scope: Construct, id: string, props: SwitchboardFunctionProps) {
    const { name, environment, ...rest } = props;
    super(scope, id, {
      entry: join(root, 'functions', name, 'handler.ts'),
      projectRoot: root,
      depsLockFilePath: join(root, 'package-lock.json'),
      handler: 'handler',
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.seconds(30),
      loggingFormat: LoggingFormat.JSON,
      logGroup: new LogGroup(scope, `${id}Logs`, {
        retention: RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
      bundling: BUNDLING,
      ...rest,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: name,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        ...environment,
      },
    });
  }

  public bindTable(table: ITable, mode: AccessMode, variable: string): this {
    this.addEnvironment(variable, table.tableName);
    if (mode === 'RW') table.grantReadWriteData(this);
    else table.grantReadData(this);
    return this;
  }

  public bindQueueSend(queue: IQueue, variable: string): this {
    this.addEnvironment(variable, queue.queueUrl);
    queue.grantSendMessages(this);
    return this;
  }

  public bindSecretRead(secret: ISecret, variable: string): this {
    this.addEnvironment(variable, secret.secretArn);
    secret.grantRead(this);
    return this;
  }

  public bindBucket(bucket: IBucket, mode: 'PUT' | 'GET', variable: string): this {
    this.addEnvironment(variable, bucket.bucketName);
    if (mode === 'PUT') bucket.grantPut(this);
    else bucket.grantRead(this);
    return this;
  }
}
