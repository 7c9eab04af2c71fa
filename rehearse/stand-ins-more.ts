import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A DynamoDB stream record as Lambda delivers it (NEW_AND_OLD_IMAGES), built from dynalite's item before and after. */
export interface StreamRecord {
  eventID: string;
  eventName: 'INSERT' | 'MODIFY';
  eventSource: 'aws:dynamodb';
  eventSourceARN: string;
  awsRegion: string;
  dynamodb: {
    Keys: Record<string, unknown>;
    OldImage?: Record<string, unknown>;
    NewImage?: Record<string, unknown>;
    SequenceNumber: string;
    ApproximateCreationDateTime: number;
    StreamViewType: 'NEW_AND_OLD_IMAGES';
  };
}

export interface PutEvent {
  EventBusName?: string;
  Source?: string;
  DetailType?: string;
  Detail?: string;
}

/** `GetItem` straight from dynalite (consistent): the image before or after a write. */
export const itemIn = async (
  endpoint: string,
  table: string,
  key: Record<string, unknown>,
  signed: { authorization: string; date: string },
): Promise<Record<string, unknown> | undefined> => {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': 'DynamoDB_20120810.GetItem',
      // dynalite checks that a request is signed, not the signature: the function's own headers do.
      authorization: signed.authorization,
      'x-amz-date': signed.date,
    },
    body: JSON.stringify({ TableName: table, Key: key, ConsistentRead: true }),
  });
  const body = (await response.json()) as { Item?: Record<string, unknown> };
  return body.Item;
};

let sequence = 0;

export const streamRecord = (
  region: string,
  account: string,
  table: string,
  key: Record<string, unknown>,
  before: Record<string, unknown> | undefined,
  after: Record<string, unknown>,
): StreamRecord => ({
  eventID: randomUUID(),
  eventName: before === undefined ? 'INSERT' : 'MODIFY',
  eventSource: 'aws:dynamodb',
  eventSourceARN: `arn:aws:dynamodb:${region}:${account}:table/${table}/stream/rehearsal`,
  awsRegion: region,
  dynamodb: {
    Keys: key,
    ...(before === undefined ? {} : { OldImage: before }),
    NewImage: after,
    SequenceNumber: String(++sequence).padStart(21, '0'),
    ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
    StreamViewType: 'NEW_AND_OLD_IMAGES',
  },
});

const json11 = (response: ServerResponse, body: unknown) => {
  const text = JSON.stringify(body);
  response.writeHead(200, {
    'content-type': 'application/x-amz-json-1.1',
    'x-amzn-requestid': randomUUID(),
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
};

/** EventBridge `PutEvents` (JSON 1.1): every entry kept, every entry accepted. */
export const answerPutEvents = (
  response: ServerResponse,
  input: { Entries?: PutEvent[] },
  kept: PutEvent[],
) => {
  const entries = input.Entries ?? [];
  kept.push(...entries);
  json11(response, { FailedEntryCount: 0, Entries: entries.map(() => ({ EventId: randomUUID() })) });
};

/** Firehose `PutRecord` (JSON 1.1): the record's bytes kept. */
export const answerPutRecord = (
  response: ServerResponse,
  input: { DeliveryStreamName?: string; Record?: { Data?: string } },
  kept: { stream: string; data: Buffer }[],
) => {
  kept.push({
    stream: input.DeliveryStreamName ?? '',
    data: Buffer.from(input.Record?.Data ?? '', 'base64'),
  });
  json11(response, { RecordId: randomUUID(), Encrypted: false });
};

/**
 * EventBridge and Firehose (JSON 1.1): answers the call and says which IAM action on which resources it was,
 * or undefined for a call the stand-ins do not implement.
 */
export const answerJsonService = (
  call: string,
  input: Record<string, unknown>,
  response: ServerResponse,
  kept: { events: PutEvent[]; archived: { stream: string; data: Buffer }[] },
): { action: string; resources: string[] } | undefined => {
  if (call === 'AWSEvents.PutEvents') {
    const entries = input as { Entries?: PutEvent[] };
    answerPutEvents(response, entries, kept.events);
    return {
      action: 'events:PutEvents',
      resources: (entries.Entries ?? []).map((entry) => entry.EventBusName ?? ''),
    };
  }
  if (call === 'Firehose_20150804.PutRecord') {
    const record = input as { DeliveryStreamName?: string };
    answerPutRecord(response, record, kept.archived);
    return { action: 'firehose:PutRecord', resources: [record.DeliveryStreamName ?? ''] };
  }
  return undefined;
};

const xml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * S3, path style (the SDK's choice for an IP endpoint): PutObject and GetObject on `bucket/key`, and
 * ListObjectsV2 (`?list-type=2&prefix=`) on `bucket`, all in one page.
 */
export const answerS3 = (
  request: IncomingMessage,
  response: ServerResponse,
  body: Buffer,
  objects: Map<string, Buffer>,
  log: { record(action: string, resource: string): void; unsupported(action: string): void },
) => {
  const url = new URL(request.url ?? '/', 'http://s3');
  const path = decodeURIComponent(url.pathname).replace(/^\//, '');
  const method = request.method ?? 'GET';
  if (method === 'GET' && url.searchParams.get('list-type') === '2') {
    const bucket = path.replace(/\/$/, '');
    log.record('s3:ListObjectsV2', bucket);
    const prefix = `${bucket}/${url.searchParams.get('prefix') ?? ''}`;
    const keys = [...objects.keys()].filter((key) => key.startsWith(prefix)).sort();
    const contents = keys
      .map(
        (key) =>
          `<Contents><Key>${xml(key.slice(bucket.length + 1))}</Key><Size>${objects.get(key)?.length ?? 0}</Size></Contents>`,
      )
      .join('');
    response.writeHead(200, { 'content-type': 'application/xml' });
    return response.end(
      `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>${xml(bucket)}</Name><KeyCount>${keys.length}</KeyCount><IsTruncated>false</IsTruncated>${contents}</ListBucketResult>`,
    );
  }
  const action = method === 'PUT' ? 's3:PutObject' : method === 'GET' ? 's3:GetObject' : `s3:${method}`;
  log.record(action, path);
  if (method === 'PUT') {
    objects.set(path, body);
    response.writeHead(200, { etag: `"${createHash('md5').update(body).digest('hex')}"` });
    return response.end();
  }
  const stored = objects.get(path);
  if (method === 'GET' && stored !== undefined) {
    response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': stored.length });
    return response.end(stored);
  }
  log.unsupported(action);
  response.writeHead(404, { 'content-type': 'application/xml' });
  return response.end('<Error><Code>NoSuchKey</Code><Message>not found</Message></Error>');
};
