import { App } from 'aws-cdk-lib';
import { cliEnvironment } from './config/cli-environment.js';
import { createSwitchboard } from './create-switchboard.js';

createSwitchboard(new App(), await cliEnvironment());
