import { PutObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';

/** `PutObject` of a claim check or a large archived body; imported on demand (the `s3-put.mjs` chunk). */
export const s3Put = (bucket: string, config: S3ClientConfig) => {
  const s3 = new S3Client(config);
  return async (key: string, body: string): Promise<void> => {
    await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/json' }),
    );
  };
};
