import { gzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { archiveLine, hourPartition } from '../../shared/platform/archive/archive.js';
import { S3ArchiveReader } from '../../shared/platform/aws/s3-archive-reader.js';

/**
 * The replay's reader against S3 as Firehose leaves it: GZIP objects of JSON lines under
 * `deliveries/yyyy/MM/dd/HH/`, listed page by page, large bodies beside them under `large/`.
 */
const s3 = mockClient(S3Client);
const HOUR = 3_600_000;
const start = Date.UTC(2026, 10, 22, 10, 0, 0);
const body = (text: string) => ({ transformToByteArray: async () => new Uint8Array(Buffer.from(text)) });
const gzipped = (text: string) => ({ transformToByteArray: async () => new Uint8Array(gzipSync(text)) });

afterEach(() => s3.reset());
// The test files share a worker's modules: give the client back as it was.
afterAll(() => s3.restore());

describe('S3ArchiveReader', () => {
  it('reads every archived delivery of the window, across listing pages, hours and large bodies', async () => {
    // Prepare: hour 10 in two listing pages; a delivery of hour 10 that Firehose wrote under hour 11; one too late
    const inWindow = [start + 1_000, start + 2_000, start + HOUR - 1];
    const objects: Record<string, string> = {
      [`deliveries/${hourPartition(start)}/a.gz`]: archiveLine(inWindow[0] ?? 0, Buffer.from('{"first":1}')),
      [`deliveries/${hourPartition(start)}/b.gz`]: archiveLine(inWindow[1] ?? 0, { large: 'large/x' }),
      [`deliveries/${hourPartition(start + HOUR)}/c.gz`]:
        archiveLine(inWindow[2] ?? 0, Buffer.from('{"late":3}')) +
        archiveLine(start + HOUR + 5_000, Buffer.from('{"outside":4}')),
      // A passthrough-only delivery, kept apart under its own retention, is replayed too.
      [`passthrough/deliveries/${hourPartition(start)}/p.gz`]: archiveLine(
        start + 3_000,
        Buffer.from('{"p":5}'),
      ),
    };
    s3.on(ListObjectsV2Command).callsFake((input: { Prefix: string; ContinuationToken?: string }) => {
      const keys = Object.keys(objects).filter((key) => key.startsWith(input.Prefix));
      if (keys.length > 1 && input.ContinuationToken === undefined)
        return { Contents: [{ Key: keys[0] }], NextContinuationToken: 'page-2' };
      return { Contents: (input.ContinuationToken ? keys.slice(1) : keys).map((Key) => ({ Key })) };
    });
    s3.on(GetObjectCommand).callsFake((input: { Key: string }) => {
      if (input.Key === 'large/x') return { Body: body(Buffer.from('{"large":2}').toString('base64')) };
      return { Body: gzipped(objects[input.Key] ?? '') };
    });

    // Act
    const read = [];
    for await (const delivery of new S3ArchiveReader('archive').read(start, start + HOUR - 1))
      read.push(delivery);

    // Assess
    expect(read.map((delivery) => [delivery.receivedAt, delivery.body.toString('utf8')])).toEqual([
      [inWindow[0], '{"first":1}'],
      [inWindow[1], '{"large":2}'],
      [start + 3_000, '{"p":5}'],
      [inWindow[2], '{"late":3}'],
    ]);
    expect(s3.commandCalls(ListObjectsV2Command).map((call) => call.args[0].input.Prefix)).toEqual([
      `deliveries/${hourPartition(start)}/`,
      `deliveries/${hourPartition(start)}/`,
      `passthrough/deliveries/${hourPartition(start)}/`,
      `deliveries/${hourPartition(start + HOUR)}/`,
      `passthrough/deliveries/${hourPartition(start + HOUR)}/`,
    ]);
  });

  it('continues strictly after a position: the rest of that object, then later objects and hours', async () => {
    // Prepare: two objects in hour 10 (two lines in the first), one in hour 11
    const objects: Record<string, string> = {
      [`deliveries/${hourPartition(start)}/a.gz`]:
        archiveLine(start + 1, Buffer.from('{"a":0}')) + archiveLine(start + 2, Buffer.from('{"a":1}')),
      [`deliveries/${hourPartition(start)}/b.gz`]: archiveLine(start + 3, Buffer.from('{"b":0}')),
      [`deliveries/${hourPartition(start + HOUR)}/c.gz`]: archiveLine(start + 4, Buffer.from('{"c":0}')),
    };
    s3.on(ListObjectsV2Command).callsFake((input: { Prefix: string }) => ({
      Contents: Object.keys(objects)
        .filter((key) => key.startsWith(input.Prefix))
        .map((Key) => ({ Key })),
    }));
    s3.on(GetObjectCommand).callsFake((input: { Key: string }) => ({
      Body: gzipped(objects[input.Key] ?? ''),
    }));
    const reader = new S3ArchiveReader('archive');
    const all = [];
    for await (const delivery of reader.read(start, start + 2 * HOUR)) all.push(delivery);

    // Act: resume after the first line of a.gz
    const rest = [];
    for await (const delivery of reader.read(start, start + 2 * HOUR, all[0]?.position))
      rest.push(delivery.body.toString('utf8'));

    // Assess
    expect(all.map((delivery) => delivery.body.toString('utf8'))).toEqual([
      '{"a":0}',
      '{"a":1}',
      '{"b":0}',
      '{"c":0}',
    ]);
    expect(rest).toEqual(['{"a":1}', '{"b":0}', '{"c":0}']);
  });
});
