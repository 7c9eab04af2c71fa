import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { SUPPORTED_REGIONS } from '../infra/config/regions.js';
import { createSwitchboard } from '../infra/create-switchboard.js';
import { DOMAINS } from '../shared/domains/registry.js';
import { errorMessage } from '../shared/kernel/errors.js';
import { checkGrants, checkResourcePolicies } from './checks.js';
import { ACCOUNT, type Canaries, type Deployment, deploy, REGION } from './deployment.js';
import type { Check } from './driver.js';
import { checkMetrics } from './metric-checks.js';
import { MotoServer } from './moto.js';
import { motoNames } from './moto-deploy.js';
import { runScenario } from './scenario.js';
import { checkEventSchemas } from './schemas.js';
import { functionsOf, NO_CREDENTIALS, resourcesOfType, synthesize, type Template } from './template.js';
import {
  cfnLint,
  checkAlarmLimits,
  checkIamNames,
  checkStateMachines,
  lintCheck,
} from './template-checks.js';

/** The webhook, api, reconcile, actions, events and privacy functions, and each domain's consumer. */
const FUNCTION_COUNT = 6 + DOMAINS.length;

/** The `-c` values a user passes on deploy (the reference's example IDs). */
const IDS = {
  'switchboard:metaAppId': '21202248997039',
  'switchboard:metaBusinessId': '506914307656634',
  'switchboard:metaPartnerBusinessIds': '116133292427920',
};

/** Regions left out of SUPPORTED_REGIONS because a resource type is missing there (infra/regions.ts). */
const LEFT_OUT = [
  'ca-west-1',
  'il-central-1',
  'mx-central-1',
  'ap-south-2',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-7',
  'ap-east-2',
  'ap-southeast-6',
];

export interface RehearsalOptions extends Canaries {
  /** A change to the templates cfn-lint reads (a canary). */
  lintTemplate?: (template: Template) => Template;
  /** Only the synth the deployment needs (the canaries skip the second, no-account synth). */
  oneSynth?: boolean;
  /** A `cdk.out` synthesized already for account 123456789012 in eu-west-1 (the canaries share one). */
  cdkOut?: string;
  /** Skip the template checks (lint, IAM names, schemas) or the run against moto. */
  skip?: ('template' | 'run')[];
  /** The canaries: of the template checks only cfn-lint on the concrete template; the story up to the deliveries. */
  quick?: boolean;
  say?: (line: string) => void;
}

export interface RehearsalResult {
  checks: Check[];
  motoVersion: string;
  /** The last warnings and errors of each function, for a failed run. */
  logs: Map<string, string[]>;
  binaries: string[];
}

/**
 * `cdk synth` as `cdk deploy` runs it with credentials for account 123456789012 and AWS_REGION=eu-west-1, with
 * every optional feature on (business tokens and onboarding, hashed user IDs in events), so that each function's
 * grants are judged against everything its code can do.
 */
export const synthesizeForDeploy = (root: string, outdir: string): Template =>
  synthesize(
    root,
    outdir,
    {
      ...IDS,
      'switchboard:businessTokens': 'true',
      'switchboard:eventUserIds': 'hashed',
      'switchboard:alarmEmail': 'ops@example.com',
    },
    { ...NO_CREDENTIALS, AWS_REGION: REGION, AWS_DEFAULT_REGION: REGION, CDK_DEFAULT_ACCOUNT: ACCOUNT },
  );

const manifestEnvironment = (outdir: string) =>
  (
    JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as {
      artifacts: Record<string, { environment?: string }>;
    }
  ).artifacts.Switchboard?.environment;

/** The region-agnostic template, synthesized in process without bundling (for linting every region at once). */
const regionAgnostic = (outdir: string): Template => {
  const app = new App({ outdir, context: { ...IDS, 'aws:cdk:bundling-stacks': [] } });
  const stack = createSwitchboard(app, { account: undefined, region: undefined });
  const assembly = app.synth();
  return assembly.getStackByName(stack.stackName).template as Template;
};

const synthChecks = (root: string, work: string, options: RehearsalOptions, checks: Check[]) => {
  const concreteOut = join(work, 'cdk.out.concrete');
  const region = { AWS_REGION: REGION, AWS_DEFAULT_REGION: REGION };
  const template = synthesizeForDeploy(root, concreteOut);
  const concrete = manifestEnvironment(concreteOut);
  checks.push({
    name: `synth for account ${ACCOUNT} with AWS_REGION=${REGION} passes cdk-nag and is an ${REGION} template`,
    ok: concrete === `aws://${ACCOUNT}/${REGION}` && !JSON.stringify(template).includes('us-east-1'),
    detail: String(concrete),
  });
  if (options.oneSynth !== true) {
    const bareOut = join(work, 'cdk.out.no-account');
    const bare = synthesize(root, bareOut, IDS, { ...NO_CREDENTIALS, ...region });
    const environment = manifestEnvironment(bareOut);
    checks.push(
      {
        name: `synth without credentials (AWS_REGION=${REGION}, no account) passes cdk-nag, for ${REGION}`,
        ok: environment === `aws://unknown-account/${REGION}`,
        detail: String(environment),
      },
      {
        name: `both synths deploy the same ${FUNCTION_COUNT} functions (one consumer per domain, and six)`,
        ok: functionsOf(template).length === FUNCTION_COUNT && functionsOf(bare).length === FUNCTION_COUNT,
        detail: functionsOf(template)
          .map((fn) => fn.service)
          .join(', '),
      },
    );
  }
  return { template, concreteOut };
};

const templateChecks = async (
  template: Template,
  work: string,
  options: RehearsalOptions,
): Promise<Check[]> => {
  const lintable = options.lintTemplate ?? ((t: Template) => t);
  const concrete = lintCheck(lintable(template), [REGION], work, 'concrete');
  if (options.quick === true) return [concrete];
  const agnostic = regionAgnostic(join(work, 'cdk.out.agnostic'));
  const secrets = resourcesOfType(template, 'AWS::SecretsManager::Secret').map(([id]): [string, string] => [
    id,
    `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:rehearsal-${id}-AbCdEf`,
  ]);
  const names = motoNames(REGION, ACCOUNT, 'http://127.0.0.1', new Map(secrets));
  const lint = [concrete, lintCheck(lintable(agnostic), SUPPORTED_REGIONS, work, 'region-agnostic')];
  const leftOut = cfnLint(agnostic, LEFT_OUT, work, 'left-out');
  return [
    ...lint,
    {
      name: `cfn-lint confirms each left-out region lacks a resource type the stack uses (${LEFT_OUT.length} regions)`,
      ok: LEFT_OUT.every((region) =>
        leftOut.errors.some((error) => error.startsWith('E3006') && error.includes(region)),
      ),
      detail: leftOut.errors.filter((error) => error.startsWith('E3006')).length.toString(),
    },
    ...checkStateMachines(template, names),
    ...checkEventSchemas(template),
    ...(await checkIamNames(template, names)),
    ...checkAlarmLimits(template),
  ];
};

const runChecks = async (
  template: Template,
  concreteOut: string,
  root: string,
  moto: MotoServer,
  options: RehearsalOptions,
) => {
  const deployed = (options.deployTemplate ?? ((t: Template) => t))(template);
  const deployment = await deploy(deployed, concreteOut, root, moto, options);
  return deployment;
};

/**
 * The first `cdk deploy`, rehearsed on this machine (rehearse/README.md): the real CLI's synth under cdk-nag;
 * the template judged by cfn-lint for every supported region, asl-validator, the registry's schema format and
 * IAM's own action and ARN reference; then every function's bundle run against moto, IAM enforced with its own
 * role, through the template's wiring.
 */
export const rehearse = async (root: string, options: RehearsalOptions = {}): Promise<RehearsalResult> => {
  const say = options.say ?? (() => undefined);
  const work = await mkdtemp(join(tmpdir(), 'switchboard-rehearsal-'));
  const checks: Check[] = [];
  let moto: MotoServer | undefined;
  let deployment: Deployment | undefined;
  const logs = new Map<string, string[]>();
  const binaries: string[] = [];
  try {
    say('== synth (the CDK CLI, cdk-nag)');
    const { template, concreteOut } =
      options.cdkOut === undefined
        ? synthChecks(root, work, options, checks)
        : {
            template: JSON.parse(
              readFileSync(join(options.cdkOut, 'Switchboard.template.json'), 'utf8'),
            ) as Template,
            concreteOut: options.cdkOut,
          };
    if (!options.skip?.includes('template')) {
      say('== the template: cfn-lint, asl-validator, event schemas, IAM names and ARNs, alarm limits');
      checks.push(...(await templateChecks(template, work, options)));
    }
    if (!options.skip?.includes('run')) {
      say('== every function from its bundle, against moto with IAM enforced');
      moto = await MotoServer.start();
      deployment = await runChecks(template, concreteOut, root, moto, options);
      for (const [runtime, binary] of deployment.binaries)
        binaries.push(
          `${runtime}: ${binary.path} ${binary.version}${binary.exact ? '' : ' (WARNING: not the runtime major)'}`,
        );
      checks.push(...(await runScenario(deployment, options.quick === true ? 'ingest' : undefined)));
      checks.push(...(await checkGrants(deployment, root)));
      checks.push(...checkMetrics(deployment, concreteOut));
      checks.push(...checkResourcePolicies(template));
    }
  } catch (error) {
    checks.push({ name: 'the rehearsal ran to its end', ok: false, detail: errorMessage(error) });
  } finally {
    for (const [id, container] of deployment?.containers ?? [])
      logs.set(id, container.logs.filter((line) => /"level":"(ERROR|WARN)"|Error/.test(line)).slice(-5));
    await deployment?.close();
    moto?.stop();
    if (process.env.REHEARSAL_KEEP === undefined) await rm(work, { recursive: true, force: true });
  }
  return { checks, motoVersion: moto?.version ?? 'not started', logs, binaries };
};
