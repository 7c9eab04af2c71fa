import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetQueueAttributesCommand, SQSClient, StartMessageMoveTaskCommand } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { redriveInAws } from '../../cli/redrive-core.js';

/**
 * A deployed stack as `npm run redrive` sees it in AWS (CloudFormation outputs and SQS, mocked: no account here):
 * one queue and its DLQ under the outputs `<prefix>QueueUrl` / `<prefix>DlqUrl`, the DLQ holding `waiting`
 * messages. The caller says how the move task reports (`ListMessageMoveTasks`) and restores both mocks.
 */
export const stackWithDlq = (prefix: string, name: string, waiting: number) => {
  const sqs = mockClient(SQSClient);
  const cloudFormation = mockClient(CloudFormationClient);
  cloudFormation.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'Switchboard',
        CreationTime: new Date(),
        StackStatus: 'CREATE_COMPLETE',
        Outputs: [
          { OutputKey: `${prefix}QueueUrl`, OutputValue: `https://sqs/${name}` },
          { OutputKey: `${prefix}DlqUrl`, OutputValue: `https://sqs/${name}-dlq` },
        ],
      },
    ],
  });
  sqs
    .on(GetQueueAttributesCommand, { QueueUrl: `https://sqs/${name}` })
    .resolves({ Attributes: { QueueArn: `arn:${name}`, ApproximateNumberOfMessages: '0' } });
  sqs
    .on(GetQueueAttributesCommand, { QueueUrl: `https://sqs/${name}-dlq` })
    .resolves({ Attributes: { QueueArn: `arn:${name}-dlq`, ApproximateNumberOfMessages: String(waiting) } });
  sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task' });
  const redrive = (queue: string) =>
    redriveInAws(
      {
        sqs: new SQSClient({ region: 'us-east-1' }),
        cloudFormation: new CloudFormationClient({ region: 'us-east-1' }),
      },
      'Switchboard',
      queue,
      { sleep: async () => undefined },
    );
  return { sqs, cloudFormation, redrive };
};
