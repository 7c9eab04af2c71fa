import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { EXAMPLE, FIXTURES } from '../../fixtures/deliveries.js';
import { createSwitchboard } from '../../infra/create-switchboard.js';
import { parsePageTokens } from '../../shared/domains/threads/page-tokens.js';
import { META_SECRET_KEYS } from '../../shared/platform/config/constants.js';

// docs/deploy.md is a path a newcomer follows by copy and paste: each step is checked against what the code
// and the synthesized template actually are, so the guide cannot drift from them.
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const document = readFileSync(join(root, 'docs', 'deploy.md'), 'utf8');
const guide = document.slice(0, document.indexOf('\n## Upgrading the Graph API version'));
/** Shell commands of the guide, with `\` continuations joined. */
const commands = guide.replace(/\\\n\s*/g, ' ').split('\n');
const command = (pattern: RegExp): string => {
  const found = commands.find((line) => pattern.test(line));
  if (found === undefined) throw new Error(`the Deploy guide has no command matching ${pattern}`);
  return found;
};

/** A placeholder the guide asks the reader to fill in, filled with the reference's example IDs. */
const filled = (value: string): string =>
  value
    .replace(/\[,<[A-Z_]+>\.\.\.\]/g, '')
    .replace(/<APP_ID>/g, '21202248997039')
    .replace(/<BUSINESS_ID>/g, '506914307656634')
    .replace(/<PARTNER_ID>/g, '116133292427920');

const synth = (context: Record<string, string>): Template => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  const stack = createSwitchboard(app, { account: undefined, region: undefined });
  app.synth();
  return Template.fromStack(stack);
};

const deployContext = (): Record<string, string> =>
  Object.fromEntries(
    [...command(/npx cdk deploy /).matchAll(/-c (switchboard:\w+)=(\S+)/g)].map((match) => [
      match[1] ?? '',
      filled(match[2] ?? ''),
    ]),
  );

describe('the deploy guide (docs/deploy.md)', () => {
  it('bootstraps the account and region before the first deploy', () => {
    // Prepare / Act
    const bootstrap = commands.findIndex((line) =>
      /npx cdk bootstrap aws:\/\/<ACCOUNT_ID>\/<REGION>/.test(line),
    );
    const deploy = commands.findIndex((line) => /npx cdk deploy /.test(line));
    // Assess
    expect(bootstrap).toBeGreaterThanOrEqual(0);
    expect(bootstrap).toBeLessThan(deploy);
  });

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

  it('sends a signed test delivery to the deployed URL and reads that WABA back with the SigV4 CLI', () => {
    // Prepare
    const trigger = command(/npm run trigger -- /);
    const readBack = command(/npm run switchboard -- wabas get /);
    // Act
    const fixture = /npm run trigger -- ([\w-]+)/.exec(trigger)?.[1] ?? '';
    const delivered = JSON.stringify(FIXTURES[fixture]?.body ?? null);
    // Assess
    expect(trigger).toMatch(/--url <WebhookUrl> --secret '<app secret>'/);
    expect(delivered).toContain(EXAMPLE.wabaId);
    expect(readBack).toContain(`wabas get ${EXAMPLE.wabaId} --url <ApiUrl>`);
  });
});
