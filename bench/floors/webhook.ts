import { createHmac, timingSafeEqual } from 'node:crypto';
import { FirehoseClient, PutRecordCommand } from '@aws-sdk/client-firehose';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';

interface FloorEvent {
  body?: string;
  isBase64Encoded?: boolean;
  headers?: Record<string, string | undefined>;
}

/**
 * The floor for the webhook: an HMAC check, SendMessageBatch of the changes, ten at a time, and the delivery
 * kept as one Firehose record (the job includes the archive). No routing, envelopes, claim checks, secret
 * cache, logging or metrics. `copies`: how many queues each change goes to (a domain's and passthrough: 2).
 */
export const createFloorWebhook =
  (sqs: SQSClient, queueUrl: string, secret: string, firehose?: FirehoseClient, copies = 1) =>
  async (event: FloorEvent) => {
    const body = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
    const given = Buffer.from((event.headers?.['x-hub-signature-256'] ?? '').slice(7), 'hex');
    const expected = createHmac('sha256', secret).update(body).digest();
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return { statusCode: 401, body: '' };
    const delivery = JSON.parse(body.toString('utf8')) as {
      entry: { changes?: unknown[]; messaging?: unknown[] }[];
    };
    const entries = delivery.entry
      .flatMap((entry) => entry.changes ?? entry.messaging ?? [])
      .map((change, index) => ({ Id: `m${index}`, MessageBody: JSON.stringify(change) }));
    const archived = firehose?.send(
      new PutRecordCommand({
        DeliveryStreamName: 'archive',
        Record: { Data: Buffer.from(`${body.toString('base64')}\n`) },
      }),
    );
    for (let copy = 0; copy < copies; copy++) {
      for (let start = 0; start < entries.length; start += 10) {
        await sqs.send(
          new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries.slice(start, start + 10) }),
        );
      }
    }
    await archived;
    return { statusCode: 200, body: '' };
  };

export const handler = createFloorWebhook(
  new SQSClient({}),
  process.env.QUEUE_URL ?? '',
  process.env.META_APP_SECRET ?? '',
  new FirehoseClient({}),
);
