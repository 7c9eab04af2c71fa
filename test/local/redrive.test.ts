import { ListMessageMoveTasksCommand, StartMessageMoveTaskCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { redriveLocal } from '../../cli/redrive-core.js';
import { useLocalStack } from '../support/local-stack.js';
import { stackWithDlq } from '../support/redrive-aws.js';

// No consumers: the redriven messages stay in the queue for the test to see (a consumer would take these invalid
// ones straight back to the DLQ, sooner or later depending on how busy the machine is).
const local = useLocalStack({ consumers: false });

describe('redrive', () => {
  it('moves a DLQ back with StartMessageMoveTask and reports how many moved', async () => {
    // Prepare
    const { sqs, cloudFormation, redrive } = stackWithDlq('Wabas', 'wabas', 7);
    sqs
      .on(ListMessageMoveTasksCommand)
      .resolvesOnce({ Results: [{ Status: 'RUNNING', ApproximateNumberOfMessagesMoved: 3 }] })
      .resolves({ Results: [{ Status: 'COMPLETED', ApproximateNumberOfMessagesMoved: 7 }] });
    // Act
    const result = await redrive('wabas');
    // Assess
    expect(result).toEqual({ queue: 'wabas', moved: 7, status: 'COMPLETED' });
    expect(sqs.commandCalls(StartMessageMoveTaskCommand)[0]?.args[0].input).toEqual({
      SourceArn: 'arn:wabas-dlq',
      DestinationArn: 'arn:wabas',
    });
    sqs.restore();
    cloudFormation.restore();
  });

  it('works the same against local mode\u2019s queues', async () => {
    const threads = local.stack.queues.get('threads');
    threads.dlq?.send('{"v":1}');
    threads.dlq?.send('{"v":1}');
    expect(await redriveLocal(local.stack.url, 'threads')).toEqual({
      queue: 'threads',
      moved: 2,
      status: 'COMPLETED',
    });
    expect(threads.dlq?.bodies()).toEqual([]);
    expect(threads.bodies()).toEqual(['{"v":1}', '{"v":1}']);
    await expect(redriveLocal(local.stack.url, 'nope')).rejects.toThrow(/no queue nope/);
  });
});
