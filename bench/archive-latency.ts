import { setTimeout as sleep } from 'node:timers/promises';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { HttpHandler } from '@smithy/core/protocols';
import { localContext } from '../local/lambda-context.js';
import { composeWebhook } from '../shared/app/roots/webhook.js';
import type { DeliveryArchive } from '../shared/platform/archive/archive.js';
import { FirehoseArchive } from '../shared/platform/aws/firehose-archive.js';
import { S3ClaimWriter } from '../shared/platform/aws/s3-claim-writer.js';
import { SqsMessageSink } from '../shared/platform/aws/sqs-sink.js';
import { Telemetry } from '../shared/platform/observability/telemetry.js';
import { envSecretSource } from '../shared/platform/secrets/meta-secrets.js';
import { queueUrls } from './queue-urls.js';
import { percentile, round } from './stats.js';
import { stubHttpHandler } from './stub-http.js';
import { deliveryEvent, SECRET, silenced, stubbedSqs } from './webhook-cpu.js';

/**
 * An assumed round trip to an AWS API from Lambda in the same region (no account here to measure one): log-normal,
 * median 6 ms, p99 about 19 ms, the same for SQS and Firehose; seeded, so each run draws the same delays.
 */
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

const QUEUE = 'https://sqs.us-east-1.amazonaws.com/000000000000/q';

const webhookWith = (sqs: SQSClient, archive: DeliveryArchive) =>
  composeWebhook({
    secrets: envSecretSource({ META_APP_SECRET: SECRET, META_VERIFY_TOKEN: 'v' }),
    sink: new SqsMessageSink(sqs, queueUrls(QUEUE)),
    claims: new S3ClaimWriter('bench-bucket', { region: 'us-east-1' }),
    archive,
    telemetry: new Telemetry('webhook'),
  });

export interface ArchiveLatencyFigures {
  deliveries: number;
  without: { p50: number; p99: number };
  with: { p50: number; p99: number };
  addedP50Ms: number;
  addedP99Ms: number;
}

/**
 * What keeping every delivery costs the webhook's answer: the real handler, one change per delivery, its SQS
 * send and Firehose PutRecord each answered after an independently drawn round trip, against the same handler
 * without an archive. The archive is put before the send (so that archive and queues succeed or fail together,
 * docs/replay.md): the answer waits for both round trips, one after the other.
 */
export const measureArchiveLatency = async (quick: boolean): Promise<ArchiveLatencyFigures> => {
  const deliveries = quick ? 300 : 3_000;
  const sqsDelay = roundTrips(7);
  const firehoseDelay = roundTrips(11);
  const sqs = stubbedSqs((handler) => delayed(handler, sqsDelay)).client;
  const firehose = new FirehoseClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    requestHandler: delayed(
      stubHttpHandler(() => JSON.stringify({ RecordId: 'r', Encrypted: false })),
      firehoseDelay,
    ),
  });
  const variants = {
    without: webhookWith(sqs, { keep: async () => undefined }),
    with: webhookWith(sqs, new FirehoseArchive('archive', { put: async () => undefined }, firehose)),
  };
  const times: Record<keyof typeof variants, number[]> = { without: [], with: [] };
  await silenced(async () => {
    for (let index = 0; index < deliveries; index++) {
      // Alternating, so that both see the same machine.
      for (const name of ['without', 'with'] as const) {
        // A fresh context each time: one made once runs out of its 30 s budget mid-run (every later call aborted).
        const context = localContext('webhook', 30_000);
        const started = performance.now();
        const answer = (await variants[name](deliveryEvent(1, index), context)) as { statusCode: number };
        if (answer.statusCode !== 200) throw new Error(`the webhook answered ${answer.statusCode}`);
        times[name].push(performance.now() - started);
      }
    }
  });
  const figures = (values: number[]) => ({
    p50: round(percentile(values, 50)),
    p99: round(percentile(values, 99)),
  });
  const [without, withArchive] = [figures(times.without), figures(times.with)];
  return {
    deliveries,
    without,
    with: withArchive,
    addedP50Ms: round(withArchive.p50 - without.p50),
    addedP99Ms: round(withArchive.p99 - without.p99),
  };
};
