import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { cliEnvironment } from '../../infra/config/cli-environment.js';
import { SUPPORTED_REGIONS } from '../../infra/config/regions.js';
import { createSwitchboard } from '../../infra/create-switchboard.js';

const IDS = { 'switchboard:metaAppId': '21202248997039', 'switchboard:metaBusinessId': '506914307656634' };
const synth = (region: string | undefined) => {
  const app = new App({ context: { ...IDS, 'aws:cdk:bundling-stacks': [] } });
  const stack = createSwitchboard(app, { account: '123456789012', region });
  app.synth();
  return Template.fromStack(stack);
};

describe('regions', () => {
  it('refuses at synth a region without the schema registry or HTTP APIs, naming the supported ones', () => {
    for (const region of ['ca-west-1', 'ap-east-2', 'il-central-1'])
      expect(() => synth(region), region).toThrow(/supported: us-east-1, .*sa-east-1/);
  });

  it('lets CloudFormation refuse them too when the template is region-agnostic', () => {
    const rules = synth(undefined).toJSON().Rules as Record<string, { Assertions: { Assert: unknown }[] }>;
    expect(JSON.stringify(rules.SupportedRegion?.Assertions[0]?.Assert)).toBe(
      JSON.stringify({ 'Fn::Contains': [[...SUPPORTED_REGIONS], { Ref: 'AWS::Region' }] }),
    );
  });

  it('writes the HTTP API access logs under /aws/vendedlogs/', () => {
    synth('eu-west-1').hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/aws/vendedlogs/apigateway/Switchboard-http-api-access',
    });
  });
});

describe('the region under the CDK CLI', () => {
  const home = mkdtempSync(join(tmpdir(), 'switchboard-region-'));
  const bare = { CDK_CLI_VERSION: '2.1148.1', HOME: home, AWS_CONFIG_FILE: join(home, 'none') };

  it("refuses the CLI's us-east-1 fallback when no region is configured, naming AWS_REGION", async () => {
    await expect(cliEnvironment({ ...bare, CDK_DEFAULT_REGION: 'us-east-1' })).rejects.toThrow(
      /No AWS region is configured.*set AWS_REGION=<region>/,
    );
  });

  it('takes the region the CLI resolved (AWS_REGION or a profile region), or the one given when run without the CLI', async () => {
    const configured = await cliEnvironment({
      ...bare,
      AWS_REGION: 'eu-west-1',
      CDK_DEFAULT_REGION: 'eu-west-1',
    });
    const direct = await cliEnvironment({ HOME: home, CDK_DEFAULT_REGION: 'eu-central-1' });
    writeFileSync(join(home, 'config'), '[profile ops]\nregion = eu-north-1\n');
    const fromProfile = await cliEnvironment({
      ...bare,
      AWS_CONFIG_FILE: join(home, 'config'),
      AWS_PROFILE: 'ops',
      CDK_DEFAULT_REGION: 'eu-north-1',
    });
    rmSync(home, { recursive: true, force: true });
    expect([configured.region, direct.region, fromProfile.region]).toEqual([
      'eu-west-1',
      'eu-central-1',
      'eu-north-1',
    ]);
  });
});
