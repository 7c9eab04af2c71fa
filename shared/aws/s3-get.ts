import { GetObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';

/** `GetObject` of a claim check; imported on demand by S3ClaimReader. */
export const s3Get = (bucket: string, config: S3ClientConfig) => {
  const s3 = new S3Client(config);
  return async (key: string): Promise<string> => {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (out.Body === undefined) throw new Error(`claim check ${key} has no body`);
    return out.Body.transformToString('utf8');
  };
};
