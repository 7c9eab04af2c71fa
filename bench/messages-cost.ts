import type { SQSEvent } from 'aws-lambda';
import { ROUTING_EXAMPLE, ROUTING_FIXTURES } from '../fixtures/whatsapp-routing.js';
import { MemoryDeadLetters } from '../local/dead-letters.js';
import { localContext } from '../local/lambda-context.js';
import { splitDelivery } from '../shared/app/intake/split.js';
import { DOMAINS } from '../shared/domains/registry.js';
import { whatsappThreadsConsumer } from '../shared/domains/whatsapp-threads/consumer.js';
import { decodeWhatsappChange } from '../shared/domains/whatsapp-threads/decode.js';
import { applyFact } from '../shared/domains/whatsapp-threads/facts.js';
import { whatsappThreadsManifest } from '../shared/domains/whatsapp-threads/manifest.js';
import type { Item } from '../shared/kernel/registers.js';
import { createConsumerHandler } from '../shared/platform/consumers/consumer.js';
import { QueueRouter } from '../shared/platform/domain/routing.js';
import { signBody } from '../shared/platform/http/signature.js';
import type { HttpApiEvent } from '../shared/platform/http/types.js';
import { Telemetry } from '../shared/platform/observability/telemetry.js';
import { RegisterWriter } from '../shared/platform/store/register-writer.js';
import { itemBytes, stubbedDynamo } from './cost.js';
import { createFloorConsumer } from './floors/consumer.js';
import { createFloorWebhook } from './floors/webhook.js';
import type { MessagesInputs } from './messages-model.js';
import { pairedCpuPerRecord, sqsRecord } from './per-record.js';
import { cpuMicros, summary } from './stats.js';
import { ourWebhook, productionTelemetry, SECRET, silenced, stubbedSqs } from './webhook-cpu.js';

const QUEUE = 'https://sqs.us-east-1.amazonaws.com/000000000000/q';
export const MESSAGES_SHAPES = [1, 10, 100] as const;

/** A `messages` delivery as Meta batches it: n changes, each one inbound text of its own user (full content). */
export const messagesDelivery = (messages: number, seed = 0): Record<string, unknown> => ({
  object: 'whatsapp_business_account',
  entry: [
    {
      id: ROUTING_EXAMPLE.wabaId,
      changes: Array.from({ length: messages }, (_, index) => {
        const user = String(16_505_500_000 + seed * 1_000 + index);
        return {
          field: 'messages',
          value: {
            messaging_product: 'whatsapp',
            metadata: { display_phone_number: '15550783881', phone_number_id: ROUTING_EXAMPLE.phoneNumberId },
            contacts: [{ profile: { name: 'Sheena Nelson' }, wa_id: user }],
            messages: [
              {
                from: user,
                id: `wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQz${seed}x${index}`,
                timestamp: String(1_750_101_000 + index),
                type: 'text',
                text: { body: 'Hello, I need help with my order #12345, it has not arrived yet.' },
              },
            ],
          },
        };
      }),
    },
  ],
});

const signed = (delivery: Record<string, unknown>): HttpApiEvent => {
  const body = JSON.stringify(delivery);
  return {
    version: '2.0',
    routeKey: 'POST /webhook',
    rawPath: '/webhook',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(body, SECRET) },
    body,
    isBase64Encoded: false,
    requestContext: { requestId: 'bench', http: { method: 'POST', path: '/webhook' } },
  };
};

/** Webhook CPU per delivery of n messages: ours (routing, projection, two queues) and the floor (two queues). */
export const measureMessagesWebhook = async (quick: boolean): Promise<MessagesInputs['webhook']> => {
  const restore = productionTelemetry();
  const { client } = stubbedSqs();
  const ours = ourWebhook(client);
  const floor = createFloorWebhook(client, QUEUE, SECRET, undefined, 2);
  const context = localContext('webhook', 30_000);
  const rows: MessagesInputs['webhook'] = [];
  for (const messages of MESSAGES_SHAPES) {
    const iterations = Math.max(quick ? 3 : 20, Math.round((quick ? 200 : 2_000) / messages));
    const events = Array.from({ length: 20 }, (_, seed) => signed(messagesDelivery(messages, seed)));
    const event = (index: number) => events[index % events.length] as HttpApiEvent;
    await silenced(() => cpuMicros(iterations, (index) => ours(event(index), context)));
    await silenced(() => cpuMicros(iterations, (index) => floor(event(index))));
    const [mine, theirs] = [[] as number[], [] as number[]];
    let logBytes = 0;
    for (let round = 0; round < (quick ? 3 : 7); round++) {
      const measured = await silenced(() => cpuMicros(iterations, (index) => ours(event(index), context)));
      mine.push(measured.result);
      logBytes = measured.bytes / iterations;
      theirs.push((await silenced(() => cpuMicros(iterations, (index) => floor(event(index))))).result);
    }
    rows.push({
      messages,
      oursMicros: summary(mine).median,
      floorMicros: summary(theirs).median,
      logBytes: Math.round(logBytes),
    });
  }
  restore();
  return rows;
};

/** What the WhatsApp threads queue receives of a delivery: the projected envelopes, as SQS records. */
const projectedRecords = (delivery: Record<string, unknown>): SQSEvent['Records'] => {
  const router = new QueueRouter(DOMAINS);
  const queue = whatsappThreadsManifest.name;
  return splitDelivery(delivery, { deliveryId: 'bench', receivedAt: Date.now() })
    .filter((envelope) => router.queuesFor(envelope).includes(queue))
    .map((envelope, index) => sqsRecord(JSON.stringify(router.shape(queue, envelope)), index));
};

/** Consumer CPU per record (batches of 10 projected messages changes) and log bytes, DynamoDB stubbed. */
export const measureMessagesConsumer = async (quick: boolean): Promise<MessagesInputs['consumer']> => {
  const restore = productionTelemetry();
  const telemetry = new Telemetry(whatsappThreadsManifest.name);
  const ours = createConsumerHandler(
    whatsappThreadsConsumer({
      table: new RegisterWriter(stubbedDynamo(), 't'),
      telemetry,
      env: {},
      jobs: { has: () => false, send: async () => undefined },
    }),
    { telemetry, deadLetters: new MemoryDeadLetters() },
  );
  const floor = createFloorConsumer(stubbedDynamo(), 't');
  const event: SQSEvent = { Records: projectedRecords(messagesDelivery(10)) };
  const context = localContext(whatsappThreadsManifest.name, 30_000);
  const batches = quick ? 20 : 200;
  const cpu = await pairedCpuPerRecord(
    () => ours(event, context),
    () => floor(event),
    event.Records.length,
    batches,
  );
  restore();
  return cpu;
};

/** A busy thread's item: passed to us (with its AI summary), then messages with the BSUID, and an echo. */
export const measureThreadItemBytes = (): number => {
  let item: Item | undefined;
  for (const name of ['wa-control-passed', 'wa-message', 'wa-standby-echo']) {
    for (const record of projectedRecords(ROUTING_FIXTURES[name]?.body ?? {}))
      for (const fact of decodeWhatsappChange(JSON.parse(record.body)))
        item = applyFact(
          item,
          fact.kind === 'message' ? { ...fact, bsuid: ROUTING_EXAMPLE.bsuid } : fact,
        ).item;
  }
  return itemBytes(item);
};
