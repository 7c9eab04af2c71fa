import type { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { ChangeMessageVisibilityCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { DependencyUnavailableError } from '../../kernel/errors.js';
import { loadS3Read } from '../../platform/build/lazy-s3-read.js';
import type { S3Reader } from '../../platform/build/s3-read.js';
import type { ClaimReader } from '../../platform/queue/ports.js';
import type { SecretSource } from '../../platform/secrets/meta-secrets.js';
import type { RetryScheduler } from './deliverer.js';

/** SQS's longest visibility timeout: 12 hours. */
const MAX_VISIBILITY_SECONDS = 43_200;

/** A retry's wait as the message's visibility timeout on its own queue (`ChangeMessageVisibility`). */
export class SqsRetryScheduler implements RetryScheduler {
  public constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  public async later(receiptHandle: string, seconds: number): Promise<void> {
    await this.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.queueUrl,
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: Math.min(MAX_VISIBILITY_SECONDS, Math.max(0, Math.round(seconds))),
      }),
    );
  }
}

/**
 * Relayed bodies too large for SQS, read back from the claim-check bucket. Rare, so the S3 client is the lazy
 * `s3-read.mjs` chunk, never parsed on a cold start.
 */
export class S3ClaimReader implements ClaimReader {
  private reader: Promise<S3Reader> | undefined;

  public constructor(
    private readonly bucket: string,
    private readonly config: S3ClientConfig = {},
  ) {}

  public async get(key: string): Promise<string> {
    this.reader ??= loadS3Read().then((module) => module.s3Reader(this.bucket, this.config));
    return (await (await this.reader).bytes(key)).toString('utf8');
  }
}

/** An `own` destination's secret: the secret's whole text, cached for `maxAgeSeconds` (rotation without redeploy). */
export const textSecretSource = (
  provider: SecretsProvider,
  secretId: string,
  maxAgeSeconds: number,
): SecretSource<string> => ({
  async get(forceFetch = false) {
    let value: unknown;
    try {
      value = await provider.get(secretId, { maxAge: maxAgeSeconds, forceFetch });
    } catch (error) {
      throw new DependencyUnavailableError('secrets', error);
    }
    if (typeof value !== 'string' || value.trim() === '')
      throw new DependencyUnavailableError('secrets', `${secretId} holds no text`);
    return value.trim();
  },
});
