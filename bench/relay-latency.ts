import { setTimeout as sleep } from 'node:timers/promises';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { HttpHandler } from '@smithy/core/protocols';
import { localContext } from '../local/lambda-context.js';
import { composeRelayCopies } from '../shared/app/relay/copies.js';
import { parseRelayDestinations, relayQueueName } from '../shared/app/relay/destinations.js';
import { composeWebhook } from '../shared/app/roots/webhook.js';
import { archiveLine } from '../shared/platform/archive/archive.js';
import { S3ClaimWriter } from '../shared/platform/aws/s3-claim-writer.js';
import { SqsMessageSink } from '../shared/platform/aws/sqs-sink.js';
import { signBody } from '../shared/platform/http/signature.js';
import type { HttpApiEvent } from '../shared/platform/http/types.js';
import { Telemetry } from '../shared/platform/observability/telemetry.js';
import { envSecretSource } from '../shared/platform/secrets/meta-secrets.js';
import { queueUrls } from './queue-urls.js';
import { percentile, round, summary } from './stats.js';
import { productionTelemetry, SECRET, silenced, stubbedSqs } from './webhook-cpu.js';

const QUEUE = 'https://sqs.us-east-1.amazonaws.com/000000000000/q';

/** A WhatsApp `messages` delivery (an inbound text), the busiest field a partner relays. */
export const messagesEvent = (seed: number): HttpApiEvent => {
  const body = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
              contacts: [{ profile: { name: 'Sheena Nelson' }, wa_id: '16505551234' }],
              messages: [
                {
                  from: '16505551234',
                  id: `wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA${seed}`,
                  timestamp: String(1_749_416_383 + seed),
                  type: 'text',
                  text: { body: 'Does it come in another color?' },
                },
              ],
            },
            field: 'messages',
          },
        ],
      },
    ],
  });
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

/** `count` destinations that all take `messages` (the worst case: every delivery is copied to each). */
export const benchDestinations = (count: number) =>
  parseRelayDestinations(
    Array.from({ length: count }, (_, index) => ({
      name: `d${index}`,
      url: `https://d${index}.example.com/hook`,
      fields: ['messages'],
      signing: index % 2 === 0 ? 'meta' : 'own',
    })),
    'https',
  );

/** The real webhook with `destinations` relay destinations, every queue at the one stubbed URL. */
export const webhookWithRelay = (sqs: SQSClient, destinations: number) => {
  const relayed = benchDestinations(destinations);
  const claims = new S3ClaimWriter('bench-bucket', { region: 'us-east-1' });
  return composeWebhook({
    secrets: envSecretSource({ META_APP_SECRET: SECRET, META_VERIFY_TOKEN: 'v' }),
    sink: new SqsMessageSink(sqs, queueUrls(QUEUE)),
    claims,
    archive: { keep: async ({ receivedAt, body }) => void archiveLine(receivedAt, body) },
    telemetry: new Telemetry('webhook'),
    ...(destinations === 0
      ? {}
      : {
          copies: composeRelayCopies({
            destinations: relayed,
            sink: new SqsMessageSink(
              sqs,
              Object.fromEntries(relayed.map(({ name }) => [relayQueueName(name), QUEUE])),
            ),
            claims,
          }),
        }),
  });
};

/** The same assumed round trip as the archive benchmark: log-normal, median 6 ms, p99 about 19 ms, seeded. */
const roundTrips = (seed: number) => {
  let state = seed;
  const uniform = () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return (state + 1) / (2 ** 31 + 1);
  };
  return () => 6 * Math.exp(0.5 * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform()));
};

const delayed = <T extends object>(inner: HttpHandler<T>, delay: () => number): HttpHandler<T> => ({
  ...inner,
  handle: async (request, options) => {
    await sleep(delay());
    return inner.handle(request, options);
  },
});

export const RELAY_VARIANTS = [0, 1, 3] as const;

export interface RelayLatencyFigures {
  deliveries: number;
  rows: {
    destinations: number;
    p50: number;
    p99: number;
    addedP50Ms: number;
    addedP99Ms: number;
    sendsPerDelivery: number;
    cpuMicros: number;
    logBytesPerDelivery: number;
  }[];
}

/**
 * What relaying adds to the webhook's answer: the real handler, one `messages` change per delivery, every
 * SendMessageBatch answered after its own drawn round trip, with 0, 1 and 3 destinations, deliveries alternating
 * between the variants. The copies go beside the passthrough send (one more send per destination, in parallel),
 * so the answer waits for the slowest of the sends. Also: sends per delivery, and CPU and log bytes per delivery
 * with SQS answered at once (production log level, EMF on).
 */
export const measureRelayLatency = async (quick: boolean): Promise<RelayLatencyFigures> => {
  const deliveries = quick ? 200 : 2_000;
  const context = localContext('webhook', 30_000);
  const variants = RELAY_VARIANTS.map((count, index) => {
    const stub = stubbedSqs((handler) => delayed(handler, roundTrips(7 + index)));
    return {
      count,
      handler: webhookWithRelay(stub.client, count),
      counter: stub.counter,
      times: [] as number[],
    };
  });
  await silenced(async () => {
    for (let index = 0; index < deliveries; index++) {
      for (const variant of variants) {
        const started = performance.now();
        await variant.handler(messagesEvent(index), context);
        variant.times.push(performance.now() - started);
      }
    }
  });
  const cpu = await measureRelayWebhookCpu(quick ? 300 : 3_000);
  const [base] = variants;
  const baseP50 = percentile(base?.times ?? [], 50);
  const baseP99 = percentile(base?.times ?? [], 99);
  return {
    deliveries,
    rows: variants.map((variant, index) => ({
      destinations: variant.count,
      p50: round(percentile(variant.times, 50)),
      p99: round(percentile(variant.times, 99)),
      addedP50Ms: round(percentile(variant.times, 50) - baseP50),
      addedP99Ms: round(percentile(variant.times, 99) - baseP99),
      sendsPerDelivery: round(variant.counter.calls / deliveries),
      cpuMicros: cpu[index]?.cpuMicros ?? Number.NaN,
      logBytesPerDelivery: cpu[index]?.logBytes ?? Number.NaN,
    })),
  };
};

/** CPU and log bytes per delivery of each variant, SQS answered at once, median of rounds. */
const measureRelayWebhookCpu = async (iterations: number) => {
  const restore = productionTelemetry();
  const context = localContext('webhook', 30_000);
  const handlers = RELAY_VARIANTS.map((count) => webhookWithRelay(stubbedSqs().client, count));
  const samples = handlers.map(() => ({ cpu: [] as number[], bytes: 0 }));
  for (let round = 0; round < 6; round++) {
    for (const [index, handler] of handlers.entries()) {
      const measured = await silenced(async () => {
        const start = process.cpuUsage();
        for (let each = 0; each < iterations; each++) await handler(messagesEvent(each), context);
        const used = process.cpuUsage(start);
        return (used.user + used.system) / iterations;
      });
      // The first round warms every handler up; it is not counted.
      if (round === 0) continue;
      const sample = samples[index];
      sample?.cpu.push(measured.result);
      if (sample !== undefined) sample.bytes = measured.bytes / iterations;
    }
  }
  restore();
  return samples.map(({ cpu, bytes }) => ({
    cpuMicros: round(summary(cpu).median, 0),
    logBytes: Math.round(bytes),
  }));
};
