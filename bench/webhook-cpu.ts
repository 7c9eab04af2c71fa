import { createHash } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import { localContext } from '../local/lambda-context.js';
import { composeWebhook } from '../shared/app/roots/webhook.js';
import { archiveLine } from '../shared/platform/archive/archive.js';
import { S3ClaimWriter } from '../shared/platform/aws/s3-claim-writer.js';
import { SqsMessageSink } from '../shared/platform/aws/sqs-sink.js';
import { signBody } from '../shared/platform/http/signature.js';
import type { HttpApiEvent } from '../shared/platform/http/types.js';
import { Telemetry } from '../shared/platform/observability/telemetry.js';
import { envSecretSource } from '../shared/platform/secrets/meta-secrets.js';
import { createFloorWebhook } from './floors/webhook.js';
import { queueUrls } from './queue-urls.js';
import { cpuMicros, round, summary } from './stats.js';
import { stubHttpHandler } from './stub-http.js';

export const SECRET = 'bench-secret';
const QUEUE = 'https://sqs.us-east-1.amazonaws.com/000000000000/q';

type StubHandler = ReturnType<typeof stubHttpHandler>;

/**
 * An SQS client whose HTTP handler answers SendMessageBatch locally (all entries succeed) and counts calls;
 * `wrap` may add a round trip to it.
 */
export const stubbedSqs = (wrap: (handler: StubHandler) => StubHandler = (handler) => handler) => {
  const counter = { calls: 0 };
  const md5 = (text: string) => createHash('md5').update(text).digest('hex');
  const client = new SQSClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    requestHandler: wrap(
      stubHttpHandler((requestBody) => {
        counter.calls += 1;
        const input = JSON.parse(requestBody) as { Entries: { Id: string; MessageBody: string }[] };
        return JSON.stringify({
          Successful: input.Entries.map((entry) => ({
            Id: entry.Id,
            MessageId: entry.Id,
            MD5OfMessageBody: md5(entry.MessageBody),
          })),
          Failed: [],
        });
      }),
    ),
  });
  return { client, counter };
};

/** A signed delivery of `changes` partner_solutions changes (one queue, so ⌈n/10⌉ sends). */
export const deliveryEvent = (changes: number, seed = 0): HttpApiEvent => {
  const body = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '506914307656634',
        time: 1_718_143_652 + seed,
        changes: Array.from({ length: changes }, (_, index) => ({
          field: 'partner_solutions',
          value: { event: 'SOLUTION_UPDATED', solution_id: `${seed}${index}`, solution_status: 'ACTIVE' },
        })),
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

export const ourWebhook = (client: SQSClient) =>
  composeWebhook({
    secrets: envSecretSource({ META_APP_SECRET: SECRET, META_VERIFY_TOKEN: 'v' }),
    sink: new SqsMessageSink(client, queueUrls(QUEUE)),
    claims: new S3ClaimWriter('bench-bucket', { region: 'us-east-1' }),
    // The archive record is built (its CPU counted); the Firehose call itself is network, like SQS's here.
    archive: { keep: async ({ receivedAt, body }) => void archiveLine(receivedAt, body) },
    telemetry: new Telemetry('webhook'),
  });

/** Sets the log level and metrics as deployed (INFO, EMF on); returns a function that restores the previous values. */
export const productionTelemetry = () => {
  const previous = {
    level: process.env.POWERTOOLS_LOG_LEVEL,
    metrics: process.env.POWERTOOLS_METRICS_DISABLED,
  };
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  return () => {
    process.env.POWERTOOLS_LOG_LEVEL = previous.level;
    process.env.POWERTOOLS_METRICS_DISABLED = previous.metrics;
  };
};

/** Runs `work` with stdout silenced and counted (logs and EMF metrics go there in Lambda). */
export const silenced = async <T>(work: () => Promise<T>): Promise<{ result: T; bytes: number }> => {
  const write = process.stdout.write.bind(process.stdout);
  let bytes = 0;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    return true;
  }) as typeof process.stdout.write;
  try {
    return { result: await work(), bytes };
  } finally {
    process.stdout.write = write;
  }
};

export interface CpuFigures {
  changes: number;
  ours: ReturnType<typeof summary>;
  floor: ReturnType<typeof summary>;
  ratio: number;
  logBytesPerDelivery: number;
}

/**
 * CPU time per delivery of the real webhook handler (middy, Powertools, routing, envelopes) against the
 * floor handler, both sending to the same stubbed SQS client, production log level and metrics on.
 */
export const measureWebhookCpu = async (quick: boolean): Promise<CpuFigures[]> => {
  const restore = productionTelemetry();
  const { client } = stubbedSqs();
  const ours = ourWebhook(client);
  const floor = createFloorWebhook(client, QUEUE, SECRET);
  const context = localContext('webhook', 30_000);
  const plans = [
    { changes: 1, iterations: quick ? 200 : 2_000 },
    { changes: 10, iterations: quick ? 100 : 1_000 },
    { changes: 1_000, iterations: quick ? 3 : 20 },
  ];
  const rounds = quick ? 3 : 7;
  const eventsOf = (changes: number, iterations: number) => {
    const events = Array.from({ length: Math.min(iterations, 50) }, (_, seed) =>
      deliveryEvent(changes, seed),
    );
    return (index: number) => events[index % events.length] as HttpApiEvent;
  };
  // Warm both handlers on every plan first, so that no plan pays for the JIT more than another.
  await silenced(async () => {
    for (const { changes, iterations } of plans) {
      const event = eventsOf(changes, iterations);
      await cpuMicros(iterations, (index) => ours(event(index), context));
      await cpuMicros(iterations, (index) => floor(event(index)));
    }
  });
  const figures: CpuFigures[] = [];
  for (const { changes, iterations } of plans) {
    const event = eventsOf(changes, iterations);
    const mine: number[] = [];
    const theirs: number[] = [];
    let logBytes = 0;
    for (let round = 0; round < rounds; round++) {
      const measured = await silenced(() => cpuMicros(iterations, (index) => ours(event(index), context)));
      mine.push(measured.result);
      logBytes = measured.bytes / iterations;
      theirs.push((await silenced(() => cpuMicros(iterations, (index) => floor(event(index))))).result);
    }
    const oursSummary = summary(mine);
    const floorSummary = summary(theirs);
    figures.push({
      changes,
      ours: oursSummary,
      floor: floorSummary,
      ratio: round(oursSummary.median / floorSummary.median),
      logBytesPerDelivery: Math.round(logBytes),
    });
  }
  restore();
  return figures;
};

/** SendMessageBatch requests per delivery of n changes, against ⌈n/10⌉. */
export const measureSqsRequests = async (): Promise<
  { changes: number; requests: number; goal: number }[]
> => {
  const rows = [];
  for (const changes of [1, 9, 10, 11, 25, 100, 1_000]) {
    const { client, counter } = stubbedSqs();
    const handler = ourWebhook(client);
    await silenced(() => handler(deliveryEvent(changes), localContext('webhook', 30_000)));
    rows.push({ changes, requests: counter.calls, goal: Math.ceil(changes / 10) });
  }
  return rows;
};
