import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { ListSecretsCommand } from '@aws-sdk/client-secrets-manager';
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { Deployment } from './deployment.js';
import { SUBSCRIBER_QUEUE } from './moto-deploy.js';
import { firehoseAsAws } from './moto-differences.js';
import { resourcesOfType } from './template.js';

/** An event as EventBridge delivers it to a rule's SQS target. */
export interface DeliveredEvent {
  source: string;
  'detail-type': string;
  detail: Record<string, unknown>;
}

/** What the rehearsal reads back from moto with its own credentials: objects, secrets, delivered events. */
export const observe = (deployment: Deployment) => {
  const { aws, template, names } = deployment;
  const events: DeliveredEvent[] = [];
  const bucketOf = (prefix: string) => {
    const id = resourcesOfType(template, 'AWS::S3::Bucket').find(([logicalId]) =>
      logicalId.startsWith(prefix),
    )?.[0];
    return names.resolve(id ?? '', undefined, 'AWS::S3::Bucket') ?? '';
  };
  const keys = async (bucket: string, prefix = ''): Promise<string[]> => {
    const found: string[] = [];
    let token: string | undefined;
    do {
      const page = await aws.s3.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: prefix === '' ? undefined : prefix,
          ContinuationToken: token,
        }),
      );
      found.push(...(page.Contents ?? []).map((object) => String(object.Key)));
      token = page.NextContinuationToken;
    } while (token !== undefined);
    return found;
  };
  const read = async (bucket: string, key: string) =>
    Buffer.from(
      await ((
        await aws.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
      ).Body?.transformToByteArray() ?? []),
    );
  return {
    events,
    bucketOf,
    /** `bucket/key` of every object in the stack's buckets. */
    async objects(): Promise<string[]> {
      const all: string[] = [];
      for (const [id] of resourcesOfType(template, 'AWS::S3::Bucket')) {
        const bucket = names.resolve(id, undefined, 'AWS::S3::Bucket') ?? '';
        all.push(...(await keys(bucket)).map((key) => `${bucket}/${key}`));
      }
      return all;
    },
    async secretNames(): Promise<string[]> {
      return ((await aws.secrets.send(new ListSecretsCommand({}))).SecretList ?? []).map((secret) =>
        String(secret.Name),
      );
    },
    /** Events the bus delivered to the subscriber queue since the last call, added to `events`. */
    async collectEvents(): Promise<DeliveredEvent[]> {
      const queueUrl = `${deployment.proxy.endpoint}/${names.account}/${SUBSCRIBER_QUEUE}`;
      const fresh: DeliveredEvent[] = [];
      for (;;) {
        const received = await aws.sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }),
        );
        const messages = received.Messages ?? [];
        if (messages.length === 0) break;
        fresh.push(...messages.map((message) => JSON.parse(String(message.Body)) as DeliveredEvent));
        await aws.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: messages.map((message, index) => ({
              Id: String(index),
              ReceiptHandle: message.ReceiptHandle,
            })),
          }),
        );
      }
      events.push(...fresh);
      return fresh;
    },
    /** The records Firehose received (moto's objects in the archive bucket, outside large/ and deliveries/yyyy). */
    async archivedRecords(): Promise<{ key: string; data: Buffer }[]> {
      const bucket = bucketOf('DeliveryArchive');
      const raw = (await keys(bucket)).filter((key) => key.includes('!{timestamp'));
      return Promise.all(raw.map(async (key) => ({ key, data: await read(bucket, key) })));
    },
    /** The archive laid out as Firehose writes it in AWS (moto-differences (9)); answers the window it covers. */
    async layOutArchive(): Promise<{ from: number; to: number; records: number }> {
      const bucket = bucketOf('DeliveryArchive');
      const records = await this.archivedRecords();
      const laid = firehoseAsAws(records.map((record) => record.data));
      for (const [key, body] of laid.objects)
        await aws.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
      for (const { key } of records) await aws.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
      return { from: laid.from, to: laid.to, records: records.length };
    },
  };
};

export type Observer = ReturnType<typeof observe>;
