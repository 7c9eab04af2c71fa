import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import { startSandboxGraph } from '../local/sandbox-graph.js';
import { FunctionContainer, runtimeBinary } from './containers.js';
import type { MotoServer } from './moto.js';
import { adminClients, type Credentials, createResources, createSecrets, motoNames } from './moto-deploy.js';
import { createAdmin, createRoles } from './moto-roles.js';
import { AwsProxy, type Mutation } from './proxy.js';
import {
  type FunctionSpec,
  functionsOf,
  resolveValue,
  type StandInNames,
  type Template,
} from './template.js';

export const REGION = 'eu-west-1';
/** moto's default account: the ARNs it builds name it. */
export const ACCOUNT = '123456789012';
/** What step 4 of the Deploy guide puts in the Meta secret. */
export const META_SECRET = {
  META_APP_SECRET: 'rehearsal-app-secret',
  META_APP_SECRET_PREVIOUS: '',
  META_VERIFY_TOKEN: 'rehearsal-verify-token',
  META_SYSTEM_USER_TOKEN: 'rehearsal-system-user-token',
};
export const PAGE_TOKEN = 'rehearsal-page-token';

/** A change the rehearsal makes on purpose to prove it can fail (test/rehearse/canaries.test.ts). */
export interface Canaries {
  /** The template as deployed (after synth and the template checks), e.g. without one grant. */
  deployTemplate?: (template: Template) => Template;
  /** A request changed on its way to moto, e.g. an 11th entry in an SQS batch. */
  mutate?: Mutation;
}

/** A function's environment as Lambda sets it: the template's variables, resolved to moto, and its role's keys. */
const functionEnvironment = (
  template: Template,
  fn: FunctionSpec,
  credentials: Credentials | undefined,
  where: { names: StandInNames; proxy: string; graph: string },
): Record<string, string> => {
  const variables = Object.fromEntries(
    Object.entries(fn.environment).map(([name, value]) => [name, resolveValue(template, value, where.names)]),
  );
  // The one deliberate substitution: Meta's Graph API is the sandbox here.
  if (variables.GRAPH_API_BASE_URL !== undefined) variables.GRAPH_API_BASE_URL = where.graph;
  const endpoints = ['DYNAMODB', 'SQS', 'SECRETS_MANAGER', 'S3', 'FIREHOSE', 'EVENTBRIDGE'].map((service) => [
    `AWS_ENDPOINT_URL_${service}`,
    where.proxy,
  ]);
  return {
    ...variables,
    PATH: '/usr/local/bin:/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_ACCESS_KEY_ID: credentials?.accessKeyId ?? 'none',
    AWS_SECRET_ACCESS_KEY: credentials?.secretAccessKey ?? 'none',
    AWS_SESSION_TOKEN: credentials?.sessionToken ?? '',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_LAMBDA_FUNCTION_NAME: fn.logicalId,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    AWS_LAMBDA_LOG_FORMAT: 'JSON',
    ...(fn.logLevel === undefined ? {} : { AWS_LAMBDA_LOG_LEVEL: fn.logLevel }),
    ...Object.fromEntries(endpoints),
  };
};

/**
 * The template "deployed" on this machine: moto (reset) holding the template's resources and each function's
 * role built from the template's policies, IAM enforced from then on; the proxy in front of it; the sandbox
 * Graph API; and one warm container per function running its bundle from `cdk.out`, signing with its role's
 * credentials. The stack's secrets hold what CloudFormation generates: step 4 of the guide is the scenario's.
 */
export const deploy = async (
  template: Template,
  cdkOut: string,
  root: string,
  moto: MotoServer,
  canaries: Canaries = {},
) => {
  await moto.reset();
  const boot = { accessKeyId: 'AKIAREHEARSALBOOTSTRAP', secretAccessKey: 'unused' };
  const iam = new IAMClient({ endpoint: moto.endpoint, region: REGION, credentials: boot });
  const admin = await createAdmin(iam);
  const identities = new Map<string, { caller: string; secret: string }>([
    [admin.accessKeyId, { caller: 'rehearsal', secret: admin.secretAccessKey }],
  ]);
  const proxy = await new AwsProxy(
    moto.endpoint,
    REGION,
    ACCOUNT,
    identities,
    admin,
    canaries.mutate,
  ).start();
  const aws = adminClients(proxy.endpoint, REGION, admin);
  const secretArns = await createSecrets(template, aws);
  const names = motoNames(REGION, ACCOUNT, proxy.endpoint, secretArns);
  await createResources(template, aws, names);
  const sts = new STSClient({ endpoint: moto.endpoint, region: REGION, credentials: admin });
  const roles = await createRoles(template, iam, sts, names);
  for (const [fnId, credentials] of roles)
    identities.set(credentials.accessKeyId, { caller: fnId, secret: credentials.secretAccessKey });
  iam.destroy();
  sts.destroy();
  await moto.enforceIam();

  const functions = functionsOf(template);
  const identity = functions.find((fn) => fn.environment.META_APP_ID !== undefined)?.environment ?? {};
  const sandbox = await startSandboxGraph({
    appId: String(identity.META_APP_ID),
    businessId: String(identity.META_BUSINESS_ID),
    systemUserToken: META_SECRET.META_SYSTEM_USER_TOKEN,
    pageToken: PAGE_TOKEN,
  });
  const environment = (fn: FunctionSpec, credentials: Credentials | undefined) =>
    functionEnvironment(template, fn, credentials, { names, proxy: proxy.endpoint, graph: sandbox.baseUrl });
  const runtimes = new Set(functions.map((fn) => fn.runtime));
  const binaries = new Map([...runtimes].map((runtime) => [runtime, runtimeBinary(runtime, root)]));
  const containers = new Map<string, FunctionContainer>();
  for (const fn of functions) {
    const binary = binaries.get(fn.runtime) ?? runtimeBinary(fn.runtime, root);
    containers.set(
      fn.logicalId,
      new FunctionContainer(fn, cdkOut, binary.path, environment(fn, roles.get(fn.logicalId))),
    );
  }
  await Promise.all([...containers.values()].map((container) => container.start()));
  return {
    template,
    proxy,
    aws,
    admin,
    secretArns,
    sandbox,
    names,
    containers,
    binaries,
    async close() {
      for (const container of containers.values()) container.stop();
      for (const client of Object.values(aws)) client.destroy();
      await proxy.close();
      await sandbox.close();
    },
  };
};

export type Deployment = Awaited<ReturnType<typeof deploy>>;
