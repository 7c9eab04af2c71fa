/**
 * `npm run redrive -- <queue> [--stack NAME] [--region R]`: moves a DLQ's messages back to its queue
 * (SQS StartMessageMoveTask) and reports how many. `--local` (or `--url`) does the same in local mode.
 */
import { parseArgs } from 'node:util';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { SQSClient } from '@aws-sdk/client-sqs';
import { errorMessage } from '../shared/kernel/errors.js';
import { REDRIVABLE, redriveInAws, redriveLocal, redrivePrefix } from './redrive-core.js';

const USAGE = `usage: npm run redrive -- <${Object.keys(REDRIVABLE).join('|')}|relay:<name>> [--stack Switchboard] [--region REGION]
       npm run redrive -- <queue> --local [--url http://127.0.0.1:3000]`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    stack: { type: 'string', default: 'Switchboard' },
    region: { type: 'string' },
    local: { type: 'boolean', default: false },
    url: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

const queue = positionals[0];
if (values.help || queue === undefined || redrivePrefix(queue) === undefined) {
  console.log(USAGE);
  process.exit(values.help ? 0 : 2);
}

try {
  const result =
    values.local || values.url !== undefined
      ? await redriveLocal(values.url ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`, queue)
      : await redriveInAws(
          {
            sqs: new SQSClient(values.region ? { region: values.region } : {}),
            cloudFormation: new CloudFormationClient(values.region ? { region: values.region } : {}),
          },
          values.stack,
          queue,
        );
  console.log(`${result.queue}: ${result.moved} message(s) moved back from the DLQ (${result.status})`);
} catch (error) {
  console.error(`redrive failed: ${errorMessage(error)}`);
  process.exit(1);
}
