import { GetObjectCommand, PutObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';

/** The two S3 calls claim checks make; imported on demand by S3ClaimStore, so it stays tree-shaken. */
export const s3Objects = (bucket: string, config: S3ClientConfig) => {
  const s3 = new S3Client(config);
  return {
    async put(key: string, body: string): Promise<void> {
      await s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/json' }),
      );
    },
    async get(key: string): Promise<string> {
      const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if (out.Body === undefined) throw new Error(`claim check ${key} has no body`);
      return out.Body.transformToString('utf8');
    },
  };
};
