import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { loadS3Put } from '../build/lazy-s3.js';
import type { ClaimWriter } from '../queue/ports.js';

/**
 * Claim checks in S3 (the bucket is encrypted, TLS-only and expires objects by lifecycle). Claim checks are
 * rare, so the S3 client is a lazy chunk (`shared/platform/build/lazy-s3.ts`), never parsed on a cold start.
 */
export class S3ClaimWriter implements ClaimWriter {
  private send: Promise<(key: string, body: string) => Promise<void>> | undefined;

  public constructor(
    private readonly bucket: string,
    private readonly config: S3ClientConfig = {},
  ) {}

  public async put(key: string, body: string): Promise<void> {
    this.send ??= loadS3Put().then((module) => module.s3Put(this.bucket, this.config));
    await (await this.send)(key, body);
  }
}
