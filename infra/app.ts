import { App } from 'aws-cdk-lib';
import { createSwitchboard } from './create-switchboard.js';

createSwitchboard(new App());
