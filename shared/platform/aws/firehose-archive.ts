import { FirehoseClient, PutRecordCommand } from '@aws-sdk/client-firehose';
import { sha256Hex } from '../../kernel/event-id.js';
import {
  type ArchivedDelivery,
  archiveLine,
  type DeliveryArchive,
  hourPartition,
} from '../archive/archive.js';
import { ARCHIVE_LARGE_PREFIX, PASSTHROUGH_ARCHIVE_LARGE_PREFIX } from '../config/constants.js';
import type { ClaimWriter } from '../queue/ports.js';

/** Firehose takes records up to 1,000 KiB; a larger delivery's body goes to the archive bucket beside it. */
const MAX_RECORD_BYTES = 1_000 * 1024;

/**
 * Where passthrough-only deliveries go: a stream of their own (its bucket prefix has its own lifecycle rule),
 * `none` (not archived), or unset: the same stream as every other delivery.
 */
export type PassthroughArchiving = { streamName: string } | 'none' | undefined;

/**
 * The archive in AWS: one Firehose record per delivery (JSON line), batched, compressed (GZIP) and partitioned
 * by hour into the archive bucket by Firehose itself. A delivery too large for one record (Meta sends up to
 * 3 MB) is put in the bucket under `large/` (the S3 client loads only then) and the record points at it. A
 * passthrough-only delivery goes to the passthrough stream (`passthrough/`), or nowhere when it is `none`.
 */
export class FirehoseArchive implements DeliveryArchive {
  public constructor(
    private readonly streamName: string,
    private readonly large: ClaimWriter,
    private readonly client: FirehoseClient = new FirehoseClient({}),
    private readonly passthrough: PassthroughArchiving = undefined,
  ) {}

  public async keep(delivery: ArchivedDelivery): Promise<void> {
    const apart = delivery.passthroughOnly === true ? this.passthrough : undefined;
    if (apart === 'none') return;
    let line = archiveLine(delivery.receivedAt, delivery.body);
    if (Buffer.byteLength(line) > MAX_RECORD_BYTES) {
      const prefix = apart === undefined ? ARCHIVE_LARGE_PREFIX : PASSTHROUGH_ARCHIVE_LARGE_PREFIX;
      const key = `${prefix}${hourPartition(delivery.receivedAt)}/${sha256Hex(delivery.body).slice(0, 32)}`;
      await this.large.put(key, delivery.body.toString('base64'));
      line = archiveLine(delivery.receivedAt, { large: key });
    }
    await this.client.send(
      new PutRecordCommand({
        DeliveryStreamName: apart === undefined ? this.streamName : apart.streamName,
        Record: { Data: Buffer.from(line) },
      }),
    );
  }
}
