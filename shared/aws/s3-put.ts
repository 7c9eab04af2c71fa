import { PutObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';

/** `PutObject` of a claim check; imported on demand by S3ClaimWriter. */
export const s3Put = (bucket: string, config: S3ClientConfig) => {
  const s3 = new S3Client(config);
  return async (key: string, body: string): Promise<void> => {
    await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/json' }),
    );
  };
};
