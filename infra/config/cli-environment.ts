import { homedir } from 'node:os';
import { join } from 'node:path';
import { loadSharedConfigFiles } from '@smithy/core/config';
import type { Environment } from 'aws-cdk-lib';

/** Where the CDK CLI and the AWS SDK look for a region, in their order (the shared config file comes last). */
const REGION_VARIABLES = ['AWS_REGION', 'AMAZON_REGION', 'AWS_DEFAULT_REGION', 'AMAZON_DEFAULT_REGION'];

const configuredRegion = async (env: NodeJS.ProcessEnv): Promise<string | undefined> => {
  const fromEnv = REGION_VARIABLES.map((name) => env[name]).find(
    (value) => value !== undefined && value !== '',
  );
  if (fromEnv !== undefined) return fromEnv;
  const profile = env.AWS_PROFILE || env.AWS_DEFAULT_PROFILE || 'default';
  const { configFile } = await loadSharedConfigFiles({
    configFilepath: env.AWS_CONFIG_FILE ?? join(env.HOME ?? homedir(), '.aws', 'config'),
    filepath: env.AWS_SHARED_CREDENTIALS_FILE ?? join(env.HOME ?? homedir(), '.aws', 'credentials'),
  });
  const region = configFile[profile]?.region;
  return region === undefined || region === '' ? undefined : region;
};

/**
 * The account and region `cdk synth` / `cdk deploy` build the stack for. Run by the CDK CLI, the app's
 * CDK_DEFAULT_REGION is always the CLI's own: it replaces the caller's value with the AWS SDK's region
 * (AWS_REGION, AWS_DEFAULT_REGION, the profile's `region`), and with us-east-1 when none is configured
 * (aws-cdk's toolkit-lib, `prepareDefaultEnvironment`), so `CDK_DEFAULT_REGION=eu-west-1 npx cdk synth` alone
 * cannot reach the app. That silent us-east-1 is refused here, naming the variable the CLI does read: the
 * template's region is then always the one `cdk deploy` deploys to. Run directly (not by the CLI), the caller's
 * CDK_DEFAULT_REGION is used as is.
 */
export const cliEnvironment = async (env: NodeJS.ProcessEnv = process.env): Promise<Environment> => {
  const runByCli = env.CDK_CLI_VERSION !== undefined;
  if (runByCli && (await configuredRegion(env)) === undefined) {
    throw new Error(
      `No AWS region is configured, so the CDK CLI chose ${env.CDK_DEFAULT_REGION ?? 'us-east-1'} (it replaces CDK_DEFAULT_REGION with the AWS SDK's region): set AWS_REGION=<region> (or a region in your AWS profile) and run the command again`,
    );
  }
  return { account: env.CDK_DEFAULT_ACCOUNT, region: env.CDK_DEFAULT_REGION };
};
