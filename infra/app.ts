import { App } from 'aws-cdk-lib';
import { applyNagChecks } from './nag.js';
import { SwitchboardStack } from './switchboard-stack.js';

const app = new App();
new SwitchboardStack(app, 'Switchboard', {
  description: 'Switchboard: system of record for WhatsApp Multi-Partner Solutions, WABAs and thread owners',
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
applyNagChecks(app);
