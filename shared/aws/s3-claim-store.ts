import type { S3ClientConfig } from '@aws-sdk/client-s3';
import type { ClaimStore } from '../queue/ports.js';
import type { s3Objects } from './s3-objects.js';

/**
 * Claim-check storage in S3 (the bucket is encrypted, TLS-only and expires objects by lifecycle).
 * Claim checks are rare, so the S3 client loads on first use: cold starts of the webhook and the
 * consumers do not pay for it (see BENCHMARKS.md).
 */
export class S3ClaimStore implements ClaimStore {
  private objects: Promise<ReturnType<typeof s3Objects>> | undefined;

  public constructor(
    private readonly bucket: string,
    private readonly config: S3ClientConfig = {},
  ) {}

  private load() {
    this.objects ??= import('./s3-objects.js').then((module) => module.s3Objects(this.bucket, this.config));
    return this.objects;
  }

  public async put(key: string, body: string): Promise<void> {
    await (await this.load()).put(key, body);
  }

  public async get(key: string): Promise<string> {
    return (await this.load()).get(key);
  }
}
