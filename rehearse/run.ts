/**
 * `npm run rehearse`: the first `cdk deploy`, rehearsed on this machine. Synthesizes the real app twice
 * (for a concrete account and region, as `cdk deploy` with credentials does, and environment-agnostic),
 * both under cdk-nag; then runs every function **from its bundle in cdk.out** the way the Lambda runtime
 * does (task root without node_modules, the template's handler and environment, the template's Node major)
 * against local stand-ins, tells it a story through the template's own wiring, and checks the template
 * against what the code does. Exits non-zero on any failure.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorMessage } from '../shared/kernel/errors.js';
import { checkGrants, checkResourcePolicies } from './checks.js';
import { ACCOUNT, deploy, REGION } from './deployment.js';
import { checkMetrics } from './metric-checks.js';
import { type Check, runScenario } from './scenario.js';
import { functionsOf, synthesize } from './template.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const started = Date.now();
const work = await mkdtemp(join(tmpdir(), 'switchboard-rehearsal-'));
const say = (line: string) => console.log(line);

/** The `-c` values a user passes on deploy (the reference's example IDs). */
const IDS = {
  'switchboard:metaAppId': '21202248997039',
  'switchboard:metaBusinessId': '506914307656634',
  'switchboard:metaPartnerBusinessIds': '116133292427920',
};
const noCredentials = {
  AWS_ACCESS_KEY_ID: undefined,
  AWS_SECRET_ACCESS_KEY: undefined,
  AWS_SESSION_TOKEN: undefined,
  AWS_PROFILE: undefined,
  AWS_EC2_METADATA_DISABLED: 'true',
  CDK_DISABLE_CLI_TELEMETRY: 'true',
};

const checks: Check[] = [];
let deployment: Awaited<ReturnType<typeof deploy>> | undefined;
try {
  say('== synth for a concrete account (business tokens and alarm e-mail on), and environment-agnostic');
  const concreteOut = join(work, 'cdk.out.concrete');
  const template = synthesize(
    root,
    concreteOut,
    { ...IDS, 'switchboard:businessTokens': 'true', 'switchboard:alarmEmail': 'ops@example.com' },
    {
      ...noCredentials,
      CDK_DEFAULT_ACCOUNT: ACCOUNT,
      CDK_DEFAULT_REGION: REGION,
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: REGION,
    },
  );
  checks.push({ name: `synth for account ${ACCOUNT} in ${REGION} passes cdk-nag`, ok: true, detail: '' });
  const agnostic = synthesize(root, join(work, 'cdk.out.agnostic'), IDS, {
    ...noCredentials,
    CDK_DEFAULT_ACCOUNT: undefined,
    CDK_DEFAULT_REGION: undefined,
  });
  checks.push({ name: 'environment-agnostic synth passes cdk-nag', ok: true, detail: '' });
  checks.push({
    name: 'both synths deploy the same eight functions',
    ok: functionsOf(template).length === 8 && functionsOf(agnostic).length === 8,
    detail: functionsOf(template)
      .map((fn) => fn.service)
      .join(', '),
  });

  say('== running every function from its bundle');
  deployment = await deploy(template, concreteOut, root);
  for (const [runtime, binary] of deployment.binaries) {
    const note = binary.exact
      ? ''
      : ` — WARNING: could not fetch the ${runtime} build (npm pack node-${process.platform}-${process.arch}), using this Node`;
    say(`   ${runtime}: ${binary.path} ${binary.version}${note}`);
  }
  checks.push(...(await runScenario(deployment)));
  checks.push(...(await checkGrants(deployment, root)));
  checks.push(...checkMetrics(deployment, concreteOut));
  checks.push(...checkResourcePolicies(template));
  if (deployment.aws.unsupported.length > 0) {
    checks.push({
      name: 'no call the stand-ins do not implement',
      ok: false,
      detail: deployment.aws.unsupported.join(', '),
    });
  }
} catch (error) {
  checks.push({
    name: 'the rehearsal ran to its end',
    ok: false,
    detail: errorMessage(error),
  });
} finally {
  await deployment?.close();
  if (process.env.REHEARSAL_KEEP === undefined) await rm(work, { recursive: true, force: true });
}

for (const check of checks)
  say(`${check.ok ? ' ok ' : 'FAIL'}  ${check.name}${check.ok ? '' : `\n        ${check.detail}`}`);
const failed = checks.filter((check) => !check.ok);
say(
  `\n${checks.length - failed.length} of ${checks.length} checks passed in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
if (failed.length > 0 && deployment !== undefined) {
  for (const [id, container] of deployment.containers) {
    const errors = container.logs.filter((line) => /"level":"(ERROR|WARN)"|Error/.test(line)).slice(-5);
    if (errors.length > 0) say(`\n-- ${id} (last warnings and errors)\n${errors.join('\n')}`);
  }
}
process.exit(failed.length === 0 ? 0 : 1);
