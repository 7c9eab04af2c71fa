import {
  CreateQueueCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalClaimStore } from '../../local/claim-store.js';
import { MemoryDeadLetters } from '../../local/dead-letters.js';
import { localContext } from '../../local/lambda-context.js';
import { type RelayReceiver, startRelayReceiver } from '../../local/relay-receiver.js';
import { SqsRetryScheduler } from '../../shared/app/relay/aws.js';
import { composeRelayCopies } from '../../shared/app/relay/copies.js';
import { createRelayDeliverer } from '../../shared/app/relay/deliverer.js';
import { parseRelayDestinations, relayQueueName } from '../../shared/app/relay/destinations.js';
import { readRelayMessage } from '../../shared/app/relay/message.js';
import { composeWebhook } from '../../shared/app/roots/webhook.js';
import { SqsMessageSink } from '../../shared/platform/aws/sqs-sink.js';
import { signBody } from '../../shared/platform/http/signature.js';
import { Telemetry } from '../../shared/platform/observability/telemetry.js';
import { envSecretSource } from '../../shared/platform/secrets/meta-secrets.js';
import { httpEvent } from '../support/lambda.js';
import { motoAvailable, startMoto } from '../support/moto.js';
import { QUEUE_NAMES } from '../support/queues.js';

const SECRET = 'moto-app-secret';
let moto: Awaited<ReturnType<typeof startMoto>>;
let sqs: SQSClient;
let receiver: RelayReceiver;
const urls: Record<string, string> = {};
const calls = { sendBatch: 0 };

const message = (text: string) =>
  JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: { metadata: { phone_number_id: '106540352242922' }, messages: [{ text: { body: text } }] },
          },
        ],
      },
    ],
  });

beforeAll(async () => {
  moto = await startMoto();
  sqs = new SQSClient({ endpoint: moto.endpoint, region: 'us-east-1' });
  sqs.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'SendMessageBatchCommand') calls.sendBatch += 1;
      return next(args);
    },
    { step: 'initialize' },
  );
  for (const name of [...QUEUE_NAMES, 'relay:crm', 'relay:audit']) {
    // A relay queue shows a received message again at once unless the deliverer set a wait.
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({
        QueueName: name.replace(':', '-'),
        ...(name.startsWith('relay:') ? { Attributes: { VisibilityTimeout: '0' } } : {}),
      }),
    );
    urls[name] = QueueUrl ?? '';
  }
  receiver = await startRelayReceiver({
    secrets: { meta: SECRET },
    answer: () => ({ status: 503, headers: { 'retry-after': '300' } }),
  });
}, 60_000);

afterAll(async () => {
  moto?.stop();
  await receiver?.close();
});

const destinations = () =>
  parseRelayDestinations(
    [
      { name: 'crm', url: `${receiver.url}/crm`, fields: ['messages'], signing: 'meta' },
      { name: 'audit', url: `${receiver.url}/audit`, fields: ['*'], signing: 'meta' },
    ],
    'https-or-loopback-http',
  );

const webhook = (claims: LocalClaimStore) => {
  const relayed = destinations();
  const sink = new SqsMessageSink(sqs, urls);
  return composeWebhook({
    secrets: envSecretSource({ META_APP_SECRET: SECRET, META_VERIFY_TOKEN: 'v' }),
    sink,
    claims,
    archive: { keep: async () => undefined },
    telemetry: new Telemetry('webhook'),
    copies: composeRelayCopies({ destinations: relayed, sink, claims }),
  });
};

/** What the queue shows now; taken off it unless `keep`. */
const receiveAll = async (queue: string, keep = false): Promise<Message[]> => {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: urls[queue],
      MaxNumberOfMessages: 10,
      MessageSystemAttributeNames: ['ApproximateReceiveCount'],
    }),
  );
  if (!keep)
    for (const { ReceiptHandle } of Messages)
      await sqs.send(new DeleteMessageCommand({ QueueUrl: urls[queue], ReceiptHandle }));
  return Messages;
};

const post = (handler: ReturnType<typeof webhook>, body: string) =>
  handler(
    httpEvent({
      method: 'POST',
      path: '/webhook',
      headers: { 'x-hub-signature-256': signBody(body, SECRET) },
      body,
    }),
    localContext('webhook', 29_000),
  );

describe.skipIf(!motoAvailable())('the relay against SQS as moto emulates it', () => {
  it('adds one SendMessageBatch per matching destination beside the webhook’s own, carrying the exact bytes', async () => {
    // Prepare
    const body = message('hello');
    calls.sendBatch = 0;
    // Act
    const answer = await post(webhook(new LocalClaimStore()), body);
    // Assess: the webhook's own (passthrough and the WhatsApp threads queue take the messages change) + one
    // per destination.
    expect(answer.statusCode).toBe(200);
    expect(calls.sendBatch).toBe(2 + 2);
    for (const queue of ['relay:crm', 'relay:audit']) {
      const [copy] = await receiveAll(queue);
      const read = readRelayMessage(copy?.Body ?? '');
      expect(read).toMatchObject({ relay: queue.slice(6), body, signature: signBody(body, SECRET) });
    }
  });

  it('puts a body past SQS’s 1 MiB in the claim-check bucket once, for every destination', async () => {
    // Prepare: Meta's documented maximum, 3 MB.
    const claims = new LocalClaimStore();
    const body = message('x'.repeat(3_000_000));
    // Act
    const answer = await post(webhook(claims), body);
    // Assess
    expect(answer.statusCode).toBe(200);
    const copies = [...(await receiveAll('relay:crm')), ...(await receiveAll('relay:audit'))].map((copy) =>
      readRelayMessage(copy.Body ?? ''),
    );
    const keys = copies.map((copy) => ('claimCheck' in copy ? copy.claimCheck.key : ''));
    expect(keys).toHaveLength(2);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^claims\/relay\/\d{4}-\d{2}-\d{2}\/[0-9a-f]{32}\.json$/);
    expect(JSON.parse(await claims.get(keys[0] ?? '')).body).toBe(body);
  });

  it('holds a copy the destination asked to wait for as invisible on its queue (ChangeMessageVisibility)', async () => {
    // Prepare
    const [destination] = destinations();
    if (destination === undefined) throw new Error('a destination');
    await post(webhook(new LocalClaimStore()), message('wait'));
    await receiveAll('relay:audit');
    const [received] = await receiveAll(relayQueueName('crm'), true);
    const deliverer = createRelayDeliverer({
      destination,
      secret: undefined,
      claims: new LocalClaimStore(),
      retries: new SqsRetryScheduler(sqs, urls[relayQueueName('crm')] ?? ''),
      deadLetters: new MemoryDeadLetters(),
      telemetry: new Telemetry('relay-crm'),
    });
    // Act
    const result = await deliverer(
      {
        Records: [
          {
            messageId: received?.MessageId ?? '',
            receiptHandle: received?.ReceiptHandle ?? '',
            body: received?.Body ?? '',
            attributes: { ApproximateReceiveCount: received?.Attributes?.ApproximateReceiveCount ?? '1' },
          } as never,
        ],
      },
      localContext('relay', 120_000),
    );
    // Assess: failed for now, and held back though the queue's own visibility timeout (0 s) would show it.
    expect(result.batchItemFailures).toHaveLength(1);
    expect(receiver.received.at(-1)?.verifiedBy).toBe('meta');
    expect(await receiveAll(relayQueueName('crm'), true)).toEqual([]);
  });
});
