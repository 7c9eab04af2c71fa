import type { App, Environment } from 'aws-cdk-lib';
import type { DomainModule } from '../shared/platform/domain/domain.js';
import { applyNagChecks } from './config/nag.js';
import { SwitchboardStack } from './switchboard-stack.js';

/** The app `cdk synth` builds, and the tests too: the stack under cdk-nag's two packs. */
export const createSwitchboard = (
  app: App,
  env: Environment = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  domains?: readonly DomainModule[],
): SwitchboardStack => {
  const stack = new SwitchboardStack(app, 'Switchboard', {
    ...(domains === undefined ? {} : { domains }),
    description:
      'Switchboard: system of record for WhatsApp Multi-Partner Solutions, WABAs and thread owners',
    env,
  });
  applyNagChecks(app);
  return stack;
};
