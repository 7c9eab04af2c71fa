import { GetObjectCommand, ListObjectsV2Command, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';

/** The archive read back for a replay; imported on demand (the `s3-read.mjs` chunk), never by the webhook. */
export interface S3Reader {
  /** One page of the keys under `prefix`, and the token of the next page if any. */
  list(prefix: string, token: string | undefined): Promise<{ keys: string[]; next: string | undefined }>;
  bytes(key: string): Promise<Buffer>;
}

export const s3Reader = (bucket: string, config: S3ClientConfig): S3Reader => {
  const s3 = new S3Client(config);
  return {
    list: async (prefix, token) => {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
      );
      const keys = (page.Contents ?? []).flatMap((object) => (object.Key === undefined ? [] : [object.Key]));
      return { keys, next: page.NextContinuationToken };
    },
    bytes: async (key) => {
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return Buffer.from((await object.Body?.transformToByteArray()) ?? []);
    },
  };
};
