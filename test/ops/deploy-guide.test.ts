import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE, FIXTURES } from '../../fixtures/deliveries.js';
import { createSwitchboard } from '../../infra/create-switchboard.js';
import { parsePageTokens } from '../../shared/domains/threads/page-tokens.js';
import { META_SECRET_KEYS } from '../../shared/platform/config/constants.js';
import { signBody } from '../../shared/platform/http/signature.js';

// docs/deploy.md is a path a newcomer follows by copy and paste. Its commands are run as written (placeholders
// filled with example values) on a machine with no AWS credentials: each must get as far as the missing
// credentials and stop there, never earlier. The values it names are checked against the template and the code.
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const guide = readFileSync(join(root, 'docs', 'deploy.md'), 'utf8');

/** The shell commands of the guide's `sh` blocks, `\` continuations joined, comments and blank lines left out. */
const commands = [...guide.matchAll(/```sh\n([\s\S]*?)```/g)]
  .flatMap((block) => (block[1] ?? '').replace(/\\\n\s*/g, ' ').split('\n'))
  .map((line) => line.replace(/\s+#\s.*$/, '').trim())
  .filter((line) => line !== '' && !line.startsWith('#'));
const command = (pattern: RegExp): string => {
  const found = commands.find((line) => pattern.test(line));
  if (found === undefined) throw new Error(`the Deploy guide has no command matching ${pattern}`);
  return found;
};

const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';
const APP_SECRET = 'example-app-secret';

/** Each placeholder of the guide, as a reader fills it in (outputs of a deployed stack included). */
const placeholders = (webhookUrl: string): Record<string, string> => ({
  '<REGION>': REGION,
  '<ACCOUNT_ID>': ACCOUNT,
  '<APP_ID>': '21202248997039',
  '<BUSINESS_ID>': '506914307656634',
  '<PARTNER_ID>[,<PARTNER_ID>...]': '116133292427920',
  '<MetaSecretArn>': `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:MetaSecretA1B2C3-AbCdEf`,
  '<PageTokensSecretArn>': `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:PageTokensSecretD4E5F6-GhIjKl`,
  '<WebhookUrl>': webhookUrl,
  '<ApiUrl>': `https://a1b2c3d4e5.execute-api.${REGION}.amazonaws.com/`,
  '<app secret>': APP_SECRET,
  '<verify token>': 'example-verify-token',
  '<system user token>': 'example-system-user-token',
  '<PAGE_ID>': EXAMPLE.pageId,
  '<page access token>': 'example-page-token',
  '<token for every other page, optional>': 'example-default-page-token',
});

const fill = (line: string, values: Record<string, string>): string => {
  let filled = line;
  for (const [placeholder, value] of Object.entries(values)) filled = filled.split(placeholder).join(value);
  const left = /<[A-Za-z][^<>]*>/.exec(filled);
  if (left !== null) throw new Error(`the test does not know how to fill ${left[0]} in: ${line}`);
  return filled;
};

/** What the CDK CLI, the AWS CLI and the SDK say when they find no credentials. */
const NO_CREDENTIALS =
  /no credentials have been configured|Unable to resolve AWS account|Unable to locate credentials|Could not load credentials from any providers/;

const run = (line: string, env: NodeJS.ProcessEnv) =>
  new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn('bash', ['-o', 'pipefail', '-c', line], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += String(chunk);
    });
    child.stderr.on('data', (chunk) => {
      output += String(chunk);
    });
    child.on('close', (code) => resolve({ code, output }));
  });

/** A machine with no AWS credentials anywhere: no variables, an empty home (no ~/.aws), no instance metadata. */
const credentialFree = (home: string): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env))
    if (!/^(AWS_|AMAZON_|CDK_)/.test(name) && name !== 'HOME') env[name] = value;
  return {
    ...env,
    HOME: home,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: join(home, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-aws-credentials'),
    CDK_DISABLE_CLI_TELEMETRY: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
};

describe('the Deploy guide (docs/deploy.md), run as written without AWS credentials', () => {
  const deliveries: { signature: string; body: string }[] = [];
  // Stands for the deployed webhook: the test delivery of step 6 needs no credentials and goes to loopback only.
  const webhook = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      deliveries.push({
        signature: String(request.headers['x-hub-signature-256']),
        body: Buffer.concat(chunks).toString('utf8'),
      });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"received":true}');
    });
  });
  const home = mkdtempSync(join(tmpdir(), 'switchboard-deploy-guide-'));
  beforeAll(() => new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve)));
  afterAll(() => {
    webhook.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('gets every command as far as the missing credentials, and no command stops earlier', async () => {
    // Prepare
    const values = placeholders(`http://127.0.0.1:${(webhook.address() as AddressInfo).port}/webhook`);
    let env = credentialFree(home);
    const outcomes: { line: string; code: number | null; output: string }[] = [];

    // Act: in order, as a reader would; `export` lines set the environment of the commands after them
    for (const line of commands.map((text) => fill(text, values))) {
      if (line.startsWith('export ')) {
        for (const [, name, value] of line.matchAll(/(\w+)=(\S+)/g)) env = { ...env, [name ?? '']: value };
        continue;
      }
      outcomes.push({ line, ...(await run(line, env)) });
    }

    // Assess: a command that needs AWS stopped at the credentials; the one that does not (the signed test
    // delivery) succeeded and was signed with the app secret the guide sets
    expect(outcomes.map((outcome) => outcome.line.split(' ').slice(0, 3).join(' '))).toEqual([
      'npx cdk bootstrap',
      'npx cdk deploy',
      'aws secretsmanager get-secret-value',
      'aws secretsmanager put-secret-value',
      'aws secretsmanager put-secret-value',
      'npm run trigger',
      'npm run switchboard',
      'npm run switchboard',
    ]);
    for (const { line, code, output } of outcomes) {
      const delivery = line.startsWith('npm run trigger');
      expect({ line, code: code === 0 ? 'success' : 'failed' }).toEqual({
        line,
        code: delivery ? 'success' : 'failed',
      });
      if (!delivery) expect(output.slice(-3000), line).toMatch(NO_CREDENTIALS);
    }
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]?.signature).toBe(signBody(deliveries[0]?.body ?? '', APP_SECRET));
  }, 600_000);

  it('refuses the CLI its silent us-east-1: without AWS_REGION, synth names the variable to set', async () => {
    // Act: CDK_DEFAULT_REGION alone never reaches the app (the CLI overwrites it with the SDK's region)
    const answer = await run(
      'npx cdk synth --quiet --no-notices -c switchboard:metaAppId=1 -c switchboard:metaBusinessId=2',
      { ...credentialFree(home), CDK_DEFAULT_REGION: REGION },
    );
    // Assess
    expect(answer.code).not.toBe(0);
    expect(answer.output).toMatch(/No AWS region is configured.*set AWS_REGION=<region>/);
  }, 300_000);
});

const deployContext = (): Record<string, string> =>
  Object.fromEntries(
    [...command(/npx cdk deploy /).matchAll(/-c (switchboard:\w+)=(\S+)/g)].map((match) => [
      match[1] ?? '',
      fill(match[2] ?? '', placeholders('http://127.0.0.1/webhook')),
    ]),
  );

const synth = (context: Record<string, string>): Template => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  const stack = createSwitchboard(app, { account: undefined, region: undefined });
  app.synth();
  return Template.fromStack(stack);
};

describe('what the Deploy guide names', () => {
  it('passes every context value synth requires, and synth refuses the command without any of them', () => {
    // Prepare
    const context = deployContext();
    // Act / Assess: the documented command synthesizes as written (placeholders filled)
    expect(() => synth(context)).not.toThrow();
    for (const required of ['switchboard:metaAppId', 'switchboard:metaBusinessId']) {
      const { [required]: _omitted, ...without } = context;
      expect(() => synth(without)).toThrow(`-c ${required}=<ID>`);
    }
  });

  it('names only outputs the deployed stack has', () => {
    // Prepare
    const outputs = Object.keys(synth(deployContext()).toJSON().Outputs ?? {});
    // Act
    const named = [...guide.matchAll(/<([A-Z][A-Za-z]+(?:Url|Arn|Name))>/g)].map((match) => match[1]);
    // Assess
    expect(named.length).toBeGreaterThan(4);
    expect(outputs).toEqual(expect.arrayContaining([...new Set(named)]));
  });

  it('reads the verify token under the key the stack generates it, and sets both secrets as the code reads them', () => {
    // Prepare
    const template = synth(deployContext());
    const generated = Object.values(template.findResources('AWS::SecretsManager::Secret'))
      .map((secret) => secret.Properties?.GenerateSecretString?.GenerateStringKey)
      .filter((key) => key === META_SECRET_KEYS.verifyToken);
    const read = /--secret-id <MetaSecretArn> .*\| jq -r \.(\w+)/.exec(command(/get-secret-value/))?.[1];
    const secretJson = (arn: string) =>
      JSON.parse(
        /--secret-string\s+'([^']+)'/.exec(
          command(new RegExp(`put-secret-value --secret-id <${arn}>`)),
        )?.[1] ?? '',
      );
    // Act
    const metaSecret = secretJson('MetaSecretArn') as Record<string, unknown>;
    const pageTokens = parsePageTokens(secretJson('PageTokensSecretArn') as Record<string, unknown>);
    // Assess
    expect(generated).toHaveLength(1);
    expect(read).toBe(META_SECRET_KEYS.verifyToken);
    expect(Object.keys(metaSecret).sort()).toEqual(Object.values(META_SECRET_KEYS).sort());
    expect(Object.keys(pageTokens)).toContain('*');
    expect(Object.keys(pageTokens).length).toBeGreaterThan(1);
  });

  it('sends a fixture that names the WABA it then reads back', () => {
    // Prepare
    const fixture = /npm run trigger -- ([\w-]+)/.exec(command(/npm run trigger -- /))?.[1] ?? '';
    // Act
    const delivered = JSON.stringify(FIXTURES[fixture]?.body ?? null);
    // Assess
    expect(delivered).toContain(EXAMPLE.wabaId);
    expect(command(/npm run switchboard -- wabas get /)).toContain(`wabas get ${EXAMPLE.wabaId} `);
  });
});
