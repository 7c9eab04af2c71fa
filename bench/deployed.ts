import { join } from 'node:path';
import { runtimeBinary } from '../rehearse/containers.js';
import {
  type FunctionSpec,
  functionsOf,
  NO_CREDENTIALS,
  resolveValue,
  synthesize,
  type Template,
} from '../rehearse/template.js';

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';

/** The `-c` values a user passes on deploy (the reference's example IDs), as the rehearsal passes them. */
const CONTEXT = {
  'switchboard:metaAppId': '21202248997039',
  'switchboard:metaBusinessId': '506914307656634',
  'switchboard:metaPartnerBusinessIds': '116133292427920',
};

/** A function as deployed: its asset folder in cdk.out and the environment Lambda starts it with. */
export interface DeployedFunction {
  service: string;
  runtime: string;
  memorySize: number;
  assetDir: string;
  /** The template's variables (NODE_OPTIONS included), resolved to plausible values, plus Lambda's own. */
  env: Record<string, string>;
}

/** Plausible values for what a `Ref` or `Fn::GetAtt` names: what the code reads, never contacted. */
const standIn = (logicalId: string, attribute: string | undefined, type: string): string => {
  const service = type.split('::')[1]?.toLowerCase() ?? 'aws';
  if (attribute === 'Arn') return `arn:aws:${service}:${REGION}:${ACCOUNT}:${logicalId}`;
  if (type === 'AWS::SQS::Queue') return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${logicalId}`;
  if (type === 'AWS::SecretsManager::Secret')
    return `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${logicalId}`;
  return logicalId.toLowerCase();
};

/** The variables Lambda itself defines for every Node.js function (credentials are placeholders). */
const lambdaVariables = (fn: FunctionSpec, taskRoot = '/var/task'): Record<string, string> => ({
  _HANDLER: fn.handler,
  AWS_REGION: REGION,
  AWS_DEFAULT_REGION: REGION,
  AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
  AWS_LAMBDA_FUNCTION_NAME: fn.logicalId,
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
  AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
  AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
  AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.logicalId}`,
  AWS_LAMBDA_LOG_STREAM_NAME: 'bench',
  AWS_LAMBDA_LOG_FORMAT: 'JSON',
  ...(fn.logLevel === undefined ? {} : { AWS_LAMBDA_LOG_LEVEL: fn.logLevel }),
  AWS_ACCESS_KEY_ID: 'ASIABENCH',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_SESSION_TOKEN: 'bench',
  LAMBDA_TASK_ROOT: taskRoot,
  LAMBDA_RUNTIME_DIR: '/var/runtime',
  LANG: 'en_US.UTF-8',
  TZ: ':UTC',
});

const deployedOf = (template: Template, cdkOut: string, fn: FunctionSpec): DeployedFunction => {
  const names = { region: REGION, account: ACCOUNT, resolve: standIn };
  const own = Object.fromEntries(
    Object.entries(fn.environment).map(([name, value]) => [name, resolveValue(template, value, names)]),
  );
  return {
    service: fn.service,
    runtime: fn.runtime,
    memorySize: fn.memorySize,
    assetDir: join(cdkOut, fn.assetPath),
    env: { ...lambdaVariables(fn), ...own },
  };
};

/** Runs the real `cdk synth` (as `cdk deploy` does) into `cdkOut` and lists the functions it deploys. */
export const synthesizeFunctions = (root: string, cdkOut: string): DeployedFunction[] => {
  const template = synthesize(root, cdkOut, CONTEXT, {
    ...NO_CREDENTIALS,
    // As a user deploys: the region from AWS_REGION (synth refuses the CLI's silent us-east-1 without it).
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    CDK_DEFAULT_ACCOUNT: ACCOUNT,
  });
  return functionsOf(template).map((fn) => deployedOf(template, cdkOut, fn));
};

/** A Node binary to start functions with: the runtime's major, fetched as the rehearsal fetches it. */
export interface NodeBinary {
  /** `nodejs24.x` */
  runtime: string;
  path: string;
  version: string;
  /** False when the runtime's build could not be fetched and this machine's Node stands in. */
  exact: boolean;
}

export const nodeFor = (runtime: string, root: string): NodeBinary => ({
  runtime,
  ...runtimeBinary(runtime, root),
});
