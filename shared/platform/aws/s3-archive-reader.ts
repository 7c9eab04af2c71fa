import { gunzipSync } from 'node:zlib';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import {
  type ArchivedDelivery,
  type ArchiveReader,
  parseArchiveLines,
  partitionsFor,
} from '../archive/archive.js';
import { loadS3Read } from '../build/lazy-s3-read.js';
import type { S3Reader } from '../build/s3-read.js';
import { ARCHIVE_PREFIX, PASSTHROUGH_ARCHIVE_PREFIX } from '../config/constants.js';

/**
 * Reads the archive bucket hour by hour for a replay (never in the webhook). Replays are rare, so the S3
 * client is the lazy chunk (`shared/platform/build/lazy-s3-read.ts`): the reconcile function's cold start never parses it.
 */
export class S3ArchiveReader implements ArchiveReader {
  private reader: Promise<S3Reader> | undefined;

  public constructor(
    private readonly bucket: string,
    private readonly config: S3ClientConfig = {},
  ) {}

  /** Each hour's deliveries, then its passthrough-only ones (kept apart, under their own retention). */
  public async *read(fromMs: number, toMs: number): AsyncIterable<ArchivedDelivery> {
    for (const partition of partitionsFor(fromMs, toMs))
      for (const prefix of [ARCHIVE_PREFIX, PASSTHROUGH_ARCHIVE_PREFIX])
        yield* this.readPartition(`${prefix}${partition}/`, fromMs, toMs);
  }

  private async *readPartition(
    prefix: string,
    fromMs: number,
    toMs: number,
  ): AsyncIterable<ArchivedDelivery> {
    let token: string | undefined;
    do {
      const page = await (await this.s3()).list(prefix, token);
      for (const key of page.keys) {
        for (const entry of parseArchiveLines(await this.text(key, true))) {
          if (entry.receivedAt < fromMs || entry.receivedAt > toMs) continue;
          const body =
            'body' in entry ? entry.body : Buffer.from(await this.text(entry.large, false), 'base64');
          yield { receivedAt: entry.receivedAt, body };
        }
      }
      token = page.next;
    } while (token !== undefined);
  }

  private s3(): Promise<S3Reader> {
    this.reader ??= loadS3Read().then((module) => module.s3Reader(this.bucket, this.config));
    return this.reader;
  }

  private async text(key: string, gzipped: boolean): Promise<string> {
    const bytes = await (await this.s3()).bytes(key);
    return (gzipped ? gunzipSync(bytes) : bytes).toString('utf8');
  }
}
