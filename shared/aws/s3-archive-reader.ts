import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import {
  type ArchivedDelivery,
  type ArchiveReader,
  parseArchiveLines,
  partitionsFor,
} from '../archive/archive.js';
import { ARCHIVE_PREFIX } from '../constants.js';

/** Reads the archive bucket hour by hour for a replay (never in the webhook). */
export class S3ArchiveReader implements ArchiveReader {
  public constructor(
    private readonly bucket: string,
    private readonly s3: S3Client = new S3Client({}),
  ) {}

  public async *read(fromMs: number, toMs: number): AsyncIterable<ArchivedDelivery> {
    for (const partition of partitionsFor(fromMs, toMs)) {
      let token: string | undefined;
      do {
        const page = await this.s3.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: `${ARCHIVE_PREFIX}${partition}/`,
            ContinuationToken: token,
          }),
        );
        for (const object of page.Contents ?? []) {
          if (object.Key === undefined) continue;
          for (const entry of parseArchiveLines(await this.text(object.Key, true))) {
            if (entry.receivedAt < fromMs || entry.receivedAt > toMs) continue;
            const body =
              'body' in entry ? entry.body : Buffer.from(await this.text(entry.large, false), 'base64');
            yield { receivedAt: entry.receivedAt, body };
          }
        }
        token = page.NextContinuationToken;
      } while (token !== undefined);
    }
  }

  private async text(key: string, gzipped: boolean): Promise<string> {
    const object = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    const bytes = Buffer.from((await object.Body?.transformToByteArray()) ?? []);
    return (gzipped ? gunzipSync(bytes) : bytes).toString('utf8');
  }
}
