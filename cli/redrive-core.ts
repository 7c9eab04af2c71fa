import { type CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  type SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { relayTitle } from '../shared/app/relay/destinations.js';
import { DOMAINS } from '../shared/domains/registry.js';
import { PASSTHROUGH } from '../shared/platform/queue/envelope.js';

/** Queues with a DLQ, by the names the CLI accepts (each domain's, passthrough, each job queue), and the stack output prefix of each. */
export const REDRIVABLE: Record<string, string> = Object.fromEntries(
  [
    ...DOMAINS,
    { name: PASSTHROUGH, title: 'Passthrough' },
    ...DOMAINS.flatMap((domain) => domain.jobs ?? []),
  ].map((queue) => [queue.name, queue.title]),
);

/** A relay destination's queue: `relay:<name>`, its outputs `Relay<Title>QueueUrl` and `Relay<Title>DlqUrl`. */
const RELAY_QUEUE = /^relay:([a-z][a-z0-9]*(?:-[a-z0-9]+)*)$/;

/** The stack output prefix of a queue the CLI accepts, or undefined. */
export const redrivePrefix = (queue: string): string | undefined => {
  const relay = RELAY_QUEUE.exec(queue)?.[1];
  return relay === undefined ? REDRIVABLE[queue] : relayTitle(relay);
};

export interface RedriveResult {
  queue: string;
  moved: number;
  status: string;
}

const queueArn = async (sqs: SQSClient, queueUrl: string) => {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['QueueArn', 'ApproximateNumberOfMessages'],
    }),
  );
  const arn = Attributes?.QueueArn;
  if (arn === undefined) throw new Error(`no ARN for ${queueUrl}`);
  return { arn, messages: Number(Attributes?.ApproximateNumberOfMessages ?? 0) };
};

/**
 * Moves a DLQ's messages back to its source queue with SQS `StartMessageMoveTask` and waits for the task
 * to finish, reporting how many moved. Queue URLs come from the stack's outputs.
 */
export const redriveInAws = async (
  clients: { sqs: SQSClient; cloudFormation: CloudFormationClient },
  stackName: string,
  queue: string,
  options: { pollMs?: number; timeoutMs?: number; sleep?: (ms: number) => Promise<void> } = {},
): Promise<RedriveResult> => {
  const prefix = redrivePrefix(queue);
  if (prefix === undefined)
    throw new Error(`unknown queue ${queue}; one of: ${Object.keys(REDRIVABLE).join(', ')}, relay:<name>`);
  const { Stacks } = await clients.cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
  const outputs = new Map(
    (Stacks?.[0]?.Outputs ?? []).map((output) => [output.OutputKey, output.OutputValue]),
  );
  const sourceUrl = outputs.get(`${prefix}QueueUrl`);
  const dlqUrl = outputs.get(`${prefix}DlqUrl`);
  if (sourceUrl === undefined || dlqUrl === undefined)
    throw new Error(`stack ${stackName} has no outputs ${prefix}QueueUrl / ${prefix}DlqUrl`);
  const [source, dlq] = await Promise.all([queueArn(clients.sqs, sourceUrl), queueArn(clients.sqs, dlqUrl)]);
  if (dlq.messages === 0) return { queue, moved: 0, status: 'EMPTY' };
  await clients.sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.arn, DestinationArn: source.arn }));
  const sleep = options.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
  const deadline = Date.now() + (options.timeoutMs ?? 10 * 60_000);
  for (;;) {
    const { Results } = await clients.sqs.send(
      new ListMessageMoveTasksCommand({ SourceArn: dlq.arn, MaxResults: 1 }),
    );
    const task = Results?.[0];
    const status = task?.Status ?? 'UNKNOWN';
    if (status !== 'RUNNING' || Date.now() > deadline) {
      if (status === 'FAILED')
        throw new Error(`move task failed: ${task?.FailureReason ?? 'no reason given'}`);
      return { queue, moved: task?.ApproximateNumberOfMessagesMoved ?? 0, status };
    }
    await sleep(options.pollMs ?? 2_000);
  }
};

/** Local mode: the same move, through local mode's `/local/queues/<queue>/redrive`. */
export const redriveLocal = async (baseUrl: string, queue: string): Promise<RedriveResult> => {
  const response = await fetch(
    `${baseUrl.replace(/\/+$/, '')}/local/queues/${encodeURIComponent(queue)}/redrive`,
    { method: 'POST' },
  );
  const body = (await response.json()) as { moved?: number; message?: string };
  if (!response.ok) throw new Error(body.message ?? `local mode answered ${response.status}`);
  return { queue, moved: body.moved ?? 0, status: 'COMPLETED' };
};
