import { gzipSync } from 'node:zlib';
import { hourPartition } from '../shared/platform/archive/archive.js';
import type { Driver } from './driver.js';
import { streamSourcesOf } from './template.js';

/**
 * Firehose's side of the archive, as it would have written it: the records the webhook put, GZIP'd into one
 * object per hour under `deliveries/yyyy/MM/dd/HH/` of the archive bucket. Answers the window they cover.
 */
const deliverArchive = ({ deployment }: Driver, bucket: string) => {
  const { aws } = deployment;
  const byHour = new Map<string, Buffer[]>();
  let from = Number.POSITIVE_INFINITY;
  let to = 0;
  for (const record of aws.archived) {
    const { receivedAt } = JSON.parse(record.data.toString('utf8')) as { receivedAt: number };
    [from, to] = [Math.min(from, receivedAt), Math.max(to, receivedAt)];
    const hour = hourPartition(receivedAt);
    byHour.set(hour, [...(byHour.get(hour) ?? []), record.data]);
  }
  for (const [hour, records] of byHour)
    aws.objects.set(`${bucket}/deliveries/${hour}/archive-1-rehearsal`, gzipSync(Buffer.concat(records)));
  return { from: Math.floor(from / 1000), to: Math.ceil(to / 1000) };
};

/**
 * `POST /v1/replay` through the reconcile bundle: it reads the archive back through its lazy S3 chunk and puts
 * every delivery back through the queues; the consumers then apply them. The state was right, so nothing is
 * written and the streams carry no record: no domain event.
 */
export const replay = async (story: Driver) => {
  const { check, http, drain, deployment } = story;
  const { template, names, aws, containers } = deployment;
  const bucketId = Object.keys(template.Resources).find(
    (id) => id.startsWith('DeliveryArchive') && template.Resources[id]?.Type === 'AWS::S3::Bucket',
  );
  const bucket = names.resolve(bucketId ?? '', undefined, 'AWS::S3::Bucket') ?? '';
  const window = deliverArchive(story, bucket);
  const streamed = aws.streams.length;
  const events = aws.events.length;
  const answer = await http('POST', '/v1/replay', { body: JSON.stringify(window) });
  check(
    `POST /v1/replay puts every archived delivery back (${aws.archived.length}) through the queues`,
    answer.status === 200 &&
      answer.body.deliveries === aws.archived.length &&
      typeof answer.body.changes === 'number' &&
      answer.body.changes >= aws.archived.length,
    answer,
  );
  await drain();
  for (const [tableName, fnId] of streamSourcesOf(template)) {
    const records = aws.streams
      .slice(streamed)
      .filter((record) => record.eventSourceARN.includes(`:table/${tableName}/`));
    if (records.length > 0) await containers.get(fnId)?.invoke({ Records: records });
  }
  check(
    'the replay changed nothing that was right: no table write, no domain event',
    aws.streams.length === streamed && aws.events.length === events,
    { streamRecords: aws.streams.length - streamed, events: aws.events.length - events },
  );
};
