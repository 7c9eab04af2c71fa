import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ClaimStore } from '../queue/ports.js';

/** Claim-check storage in S3 (the bucket is encrypted, TLS-only and expires objects by lifecycle). */
export class S3ClaimStore implements ClaimStore {
  public constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  public async put(key: string, body: string): Promise<void> {
    await this.client.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: 'application/json' }),
    );
  }

  public async get(key: string): Promise<string> {
    const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    if (out.Body === undefined) throw new Error(`claim check ${key} has no body`);
    return out.Body.transformToString('utf8');
  }
}
