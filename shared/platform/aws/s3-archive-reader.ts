import { gunzipSync } from 'node:zlib';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import {
  type ArchivedEntryAt,
  type ArchivePosition,
  type ArchiveReader,
  comparePositions,
  mayFollow,
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

  /**
   * Each hour's deliveries, then its passthrough-only ones (kept apart, under their own retention), in archive
   * order: object keys compare as S3 lists them (`deliveries/` before `passthrough/`), so a position resumes either.
   */
  public async *read(fromMs: number, toMs: number, after?: ArchivePosition): AsyncIterable<ArchivedEntryAt> {
    for (const partition of partitionsFor(fromMs, toMs)) {
      if (!mayFollow(after, partition, '\uffff')) continue;
      for (const prefix of [ARCHIVE_PREFIX, PASSTHROUGH_ARCHIVE_PREFIX])
        yield* this.readPartition(partition, `${prefix}${partition}/`, fromMs, toMs, after);
    }
  }

  private async *readPartition(
    partition: string,
    prefix: string,
    fromMs: number,
    toMs: number,
    after: ArchivePosition | undefined,
  ): AsyncIterable<ArchivedEntryAt> {
    let token: string | undefined;
    do {
      const page = await (await this.s3()).list(prefix, token);
      // Keys come in UTF-8 binary order, the order positions compare in; whole objects read already are skipped.
      for (const key of page.keys.filter((each) => mayFollow(after, partition, each))) {
        for (const entry of parseArchiveLines(await this.text(key, true))) {
          const position = { partition, key, line: entry.line };
          if (after !== undefined && comparePositions(position, after) <= 0) continue;
          if (entry.receivedAt < fromMs || entry.receivedAt > toMs) continue;
          const body =
            'body' in entry ? entry.body : Buffer.from(await this.text(entry.large, false), 'base64');
          yield { receivedAt: entry.receivedAt, body, position };
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
