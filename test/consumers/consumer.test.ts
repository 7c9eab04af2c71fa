import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LocalClaimStore } from '../../local/claim-store.js';
import { MemoryDeadLetters } from '../../local/dead-letters.js';
import { type LocalDynamo, startLocalDynamo } from '../../local/dynalite.js';
import { LocalQueue } from '../../local/in-process-queue.js';
import { LocalConsumer } from '../../local/local-consumer.js';
import { solutionsConsumer } from '../../shared/domains/solutions/consumer.js';
import { SolutionRepository } from '../../shared/domains/solutions/repository.js';
import { wabasConsumer } from '../../shared/domains/wabas/consumer.js';
import { WabaRepository } from '../../shared/domains/wabas/repository.js';
import { SqsDeadLetterSink } from '../../shared/platform/aws/sqs-dead-letters.js';
import { createConsumerHandler } from '../../shared/platform/consumers/consumer.js';
import { Telemetry } from '../../shared/platform/observability/telemetry.js';
import type { ChangeEnvelope } from '../../shared/platform/queue/envelope.js';
import { RegisterTable } from '../../shared/platform/store/register-table.js';
import { consumerPorts } from '../support/consumer-ports.js';
import { countRequests } from '../support/dynamo.js';
import { envelopesOf } from '../support/envelopes.js';
import { context } from '../support/lambda.js';
import { sqsEvent } from '../support/sqs.js';
import { until } from '../support/waiting.js';

const telemetry = new Telemetry('test');
const _claims = new LocalClaimStore();
const deadLetters = new MemoryDeadLetters();
let dynamo: LocalDynamo;
let clean: LocalDynamo;

beforeAll(async () => {
  [dynamo, clean] = await Promise.all([startLocalDynamo(), startLocalDynamo()]);
});
afterAll(async () => {
  await Promise.all([dynamo.close(), clean.close()]);
});

const solutionsHandler = (target: LocalDynamo) => {
  const repository = new SolutionRepository(new RegisterTable(target.client, target.tableNames.solutions));
  return {
    repository,
    handler: createConsumerHandler(solutionsConsumer(consumerPorts(repository, telemetry)), {
      telemetry,
      deadLetters,
    }),
  };
};

/** Solution IDs are digits: each test's solutions share a numeric prefix. */
const ID_PREFIX: Record<string, string> = {
  poison: '81000',
  json: '82000',
  crash: '83000',
  throttle: '84000',
};
const solutionId = (prefix: string, index: number) => `${ID_PREFIX[prefix] ?? '89000'}${index}`;

/** Ten SOLUTION_UPDATED changes for distinct solutions, as queued message bodies. */
const solutionBodies = (prefix: string, count = 10): string[] => {
  const delivery = {
    object: 'whatsapp_business_account',
    entry: Array.from({ length: count }, (_, index) => ({
      id: '506914307656634',
      time: 1_700_000_000 + index,
      changes: [
        {
          field: 'partner_solutions',
          value: {
            event: 'SOLUTION_UPDATED',
            solution_id: solutionId(prefix, index),
            solution_status: index % 2 ? 'ACTIVE' : 'INITIATED',
          },
        },
      ],
    })),
  };
  return envelopesOf(delivery).map((envelope) => JSON.stringify(envelope));
};

describe('consumers', () => {
  it('a batch of 10 with one poison record moves exactly that record to the DLQ at once, with its reason, and writes the other 9', async () => {
    // Prepare
    const { handler, repository } = solutionsHandler(dynamo);
    const bodies = solutionBodies('poison');
    const poison = {
      ...(JSON.parse(bodies[4] ?? '') as ChangeEnvelope),
      change: { field: 'partner_solutions', value: { solution_id: 'x' } },
    };
    bodies[4] = JSON.stringify(poison);
    // Act
    const response = (await handler(sqsEvent(bodies, 'poison'), context())) as SQSBatchResponse;
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(deadLetters.messages.at(-1)).toMatchObject({
      body: bodies[4],
      attributes: { reason: 'change.value.solution_status is missing', queue: 'solutions' },
    });
    for (let index = 0; index < 10; index++) {
      const solution = await repository.get(solutionId('poison', index));
      if (index === 4) expect(solution).toBeUndefined();
      else expect(solution?.status).toBe(index % 2 ? 'ACTIVE' : 'INITIATED');
    }
  });

  it('a body that is not even JSON goes to the DLQ at once, not thrown', async () => {
    const { handler } = solutionsHandler(dynamo);
    const response = (await handler(
      sqsEvent(['{not json', ...solutionBodies('json', 1)], 'json'),
      context(),
    )) as SQSBatchResponse;
    expect(response.batchItemFailures).toEqual([]);
    expect(deadLetters.messages.at(-1)).toMatchObject({
      body: '{not json',
      attributes: { reason: 'message body is not JSON' },
    });
  });

  it('when the DLQ cannot take an invalid record, the record fails (SQS delivers it again) and counts as failed', async () => {
    // Prepare
    const repository = new SolutionRepository(new RegisterTable(dynamo.client, dynamo.tableNames.solutions));
    const counted = vi.spyOn(Telemetry.prototype, 'count');
    const handler = createConsumerHandler(solutionsConsumer(consumerPorts(repository, telemetry)), {
      telemetry,
      deadLetters: {
        send: async () => {
          throw new Error('DLQ unavailable');
        },
      },
    });
    // Act
    const response = (await handler(sqsEvent(['{not json'], 'dlq-down'), context())) as SQSBatchResponse;
    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'dlq-down-0' }]);
    expect(counted).toHaveBeenCalledWith('EventsProcessed', 1, { Domain: 'solutions', Outcome: 'failed' });
    counted.mockRestore();
  });

  it('in AWS, the DLQ message is one SendMessage to the DLQ URL, the reason and its context as string attributes', async () => {
    // Prepare
    const sqs = mockClient(SQSClient);
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
    const sink = new SqsDeadLetterSink('https://sqs.eu-west-1.amazonaws.com/123456789012/solutions-dlq', {
      region: 'eu-west-1',
    });
    // Act
    await sink.send('{"v":1}', { reason: 'x'.repeat(5_000), eventId: 'e-1', queue: 'solutions' });
    // Assess
    expect(sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input)).toEqual([
      {
        QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/solutions-dlq',
        MessageBody: '{"v":1}',
        MessageAttributes: {
          reason: { DataType: 'String', StringValue: 'x'.repeat(1_024) },
          eventId: { DataType: 'String', StringValue: 'e-1' },
          queue: { DataType: 'String', StringValue: 'solutions' },
        },
      },
    ]);
    sqs.restore();
  });

  it('a crash after k records and a redelivery of the whole batch end in the state of one clean run', async () => {
    // Prepare: the same ten changes, to two separate tables.
    const crashed = solutionsHandler(dynamo);
    const once = solutionsHandler(clean);
    const bodies = solutionBodies('crash');
    // Act: 4 records land, the invocation dies, then SQS redelivers all 10; the clean table gets each once.
    await crashed.handler(sqsEvent(bodies.slice(0, 4), 'crash'), context());
    await crashed.handler(sqsEvent(bodies, 'crash'), context());
    await once.handler(sqsEvent(bodies, 'crash'), context());
    // Assess: identical stored items.
    for (let index = 0; index < 10; index++) {
      const key = { solutionId: solutionId('crash', index) };
      expect(await crashed.repository.table.get(key)).toEqual(await once.repository.table.get(key));
    }
  });

  it('costs one DynamoDB request per event, and a throttled write fails only its own record', async () => {
    // Prepare: the table throttles writes to one item.
    const throttled = new SolutionRepository(new RegisterTable(dynamo.client, dynamo.tableNames.solutions));
    const counter = countRequests(dynamo.client);
    const throttle = { on: false };
    dynamo.client.middlewareStack.add(
      (next) => async (args) => {
        const input = (args as { input?: { Key?: { solutionId?: { S?: string } } } }).input;
        if (throttle.on && input?.Key?.solutionId?.S === solutionId('throttle', 3)) {
          throw Object.assign(new Error('Rate exceeded'), {
            name: 'ProvisionedThroughputExceededException',
            $retryable: undefined,
          });
        }
        return next(args);
      },
      { step: 'initialize', name: 'throttleOne' },
    );
    const handler = createConsumerHandler(solutionsConsumer(consumerPorts(throttled, telemetry)), {
      telemetry,
      deadLetters,
    });
    counter.reset();
    throttle.on = true;
    // Act
    const response = (await handler(
      sqsEvent(solutionBodies('throttle'), 'throttle'),
      context(),
    )) as SQSBatchResponse;
    throttle.on = false;
    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'throttle-3' }]);
    expect(counter.byCommand.get('UpdateItemCommand')).toBe(9);
    expect(counter.total).toBe(9);
    dynamo.client.middlewareStack.remove('throttleOne');
    dynamo.client.middlewareStack.remove('requestCounter');
  });

  it('an invalid record goes to the DLQ at once with its reason; the valid ones apply once', async () => {
    // Prepare: the real consumer on the in-process queue (5 receives, then the DLQ).
    const repository = new WabaRepository(new RegisterTable(dynamo.client, dynamo.tableNames.wabas));
    const dlq = new LocalQueue('wabas-dlq', { visibilityTimeoutMs: 10 });
    const queue = new LocalQueue('wabas', { visibilityTimeoutMs: 10, maxReceiveCount: 5, dlq });
    const handler = createConsumerHandler(wabasConsumer(consumerPorts(repository, telemetry)), {
      telemetry,
      deadLetters: queue.deadLetters(),
    });
    const consumer = new LocalConsumer(queue, handler, {
      batchSize: 10,
      batchWindowMs: 0,
      concurrency: 1,
      functionName: 'wabas',
      timeoutMs: 120_000, // a hang guard: middy ends an invocation when its time runs out
    });
    const [added] = envelopesOf({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '1',
          time: 1731617831,
          changes: [
            {
              field: 'account_update',
              value: {
                event: 'PARTNER_ADDED',
                waba_info: { waba_id: '102290129340777', solution_id: '303610109049230' },
              },
            },
          ],
        },
      ],
    });
    // Act
    queue.send(JSON.stringify(added));
    queue.send(
      JSON.stringify({
        ...added,
        eventId: 'bad',
        change: { field: 'account_update', value: { nothing: true } },
      }),
    );
    consumer.start();
    await until(() => dlq.bodies().length > 0 && queue.size().visible + queue.size().inFlight === 0);
    await consumer.stop();
    // Assess
    expect(dlq.peek()).toHaveLength(1);
    expect(JSON.parse(dlq.peek()[0]?.body ?? '{}').eventId).toBe('bad');
    expect(dlq.peek()[0]?.attributes).toMatchObject({
      reason: 'change.value.event is missing',
      eventId: 'bad',
      queue: 'wabas',
    });
    expect(queue.size()).toEqual({ visible: 0, inFlight: 0 });
    expect(consumer.invocations).toBe(1);
    expect((await repository.get('102290129340777'))?.solutionId).toBe('303610109049230');
  });
});
