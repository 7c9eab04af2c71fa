import type { S3ClientConfig } from '@aws-sdk/client-s3';
import type { ClaimReader } from '../queue/ports.js';

/**
 * Claim checks in S3 (the bucket is encrypted, TLS-only and expires objects by lifecycle). Claim checks
 * are rare, so the S3 client is loaded on first use through a dynamic import; the webhook only puts and the
 * consumers only get, so each bundle carries (and each role allows) only the one command it sends.
 */
export class S3ClaimReader implements ClaimReader {
  private send: Promise<(key: string) => Promise<string>> | undefined;

  public constructor(
    private readonly bucket: string,
    private readonly config: S3ClientConfig = {},
  ) {}

  public async get(key: string): Promise<string> {
    this.send ??= import('./s3-get.js').then((module) => module.s3Get(this.bucket, this.config));
    return (await this.send)(key);
  }
}
