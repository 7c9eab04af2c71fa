import { createHash, createHmac, randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { hourPartition } from '../shared/platform/archive/archive.js';

/**
 * Every place where moto, the rehearsal's AWS, differs from AWS's documented behaviour, and how the rehearsal
 * handles it: this module only (rehearse/README.md, "Where moto differs from AWS", gives each one's source).
 * Nothing else in the rehearsal adjusts for moto.
 */

export interface PolicyStatement {
  Effect: string;
  Action?: string | string[];
  Resource?: unknown;
  Condition?: unknown;
  Principal?: unknown;
}
export interface PolicyDocument {
  Version?: string;
  Statement: PolicyStatement[];
}

const list = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/**
 * (1) AWS authorizes a batch call under its single-message action (SendMessageBatch needs sqs:SendMessage);
 * moto asks for the batch call's own name. Where a statement allows the single action, moto's copy of the
 * policy allows the batch name too.
 */
const BATCH_NAMES: Record<string, string> = {
  'sqs:SendMessage': 'sqs:SendMessageBatch',
  'sqs:DeleteMessage': 'sqs:DeleteMessageBatch',
  'sqs:ChangeMessageVisibility': 'sqs:ChangeMessageVisibilityBatch',
};

/**
 * (2) moto matches a statement's Resource against the request's resource only for SQS (the queue), S3 (bucket
 * and key), IAM and STS; for every other service it authorizes against `*`, so a statement naming its table,
 * secret, bus or stream would never match. moto's copy of such a statement names `*`: moto judges the action,
 * and the rehearsal's own judge (checks.ts) judges every recorded call's resource against the template's
 * unchanged policy.
 * (3) moto ignores `Condition` in identity policies (it allows what the statement allows, unconditionally):
 * nothing to translate; the rehearsal's judge evaluates the conditions on the recorded calls.
 */
const RESOURCE_JUDGED_BY_MOTO = new Set(['sqs', 's3', 'iam', 'sts']);

/** The policy moto enforces for a role: the template's, with (1) and (2) applied. */
export const motoPolicy = (document: PolicyDocument): PolicyDocument => ({
  Version: document.Version ?? '2012-10-17',
  Statement: document.Statement.map((statement) => {
    const actions = list(statement.Action);
    const withBatch = [...actions, ...actions.flatMap((action) => BATCH_NAMES[action] ?? [])];
    const resourceJudged = actions.every((action) => RESOURCE_JUDGED_BY_MOTO.has(action.split(':')[0] ?? ''));
    return {
      ...statement,
      Action: [...new Set(withBatch)],
      Resource: resourceJudged ? statement.Resource : '*',
    };
  }),
});

const hmac = (key: string | Buffer, text: string) => createHmac('sha256', key).update(text, 'utf8').digest();
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/**
 * (4) moto's server checks a SigV4 signature over the *decoded* path and query string: a request whose URL
 * holds a percent-encoded character (S3 ListObjectsV2 with `prefix=deliveries%2F...`, a key with `!{`) fails
 * SignatureDoesNotMatch even from boto3. (5) A body the rehearsal changed (a canary) needs a new signature. Both are re-signed here
 * with the caller's own credentials, as moto checks them: the identity, and so the authorization, are the
 * caller's.
 */
export const resignForMoto = (
  request: { method: string; url: string; headers: Record<string, string>; body: Buffer },
  secretOf: (accessKeyId: string) => string | undefined,
): Record<string, string> => {
  const authorization = request.headers.authorization ?? '';
  const scope = /Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request/.exec(authorization);
  const signedHeaders = /SignedHeaders=([^,]+)/.exec(authorization)?.[1];
  const secret = secretOf(scope?.[1] ?? '');
  if (scope === null || signedHeaders === undefined || secret === undefined) return request.headers;
  const [, , date = '', region = '', service = ''] = scope;
  const [path = '/', query = ''] = request.url.split('?');
  const canonicalQuery = decodeURIComponent(query)
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => (pair.includes('=') ? pair : `${pair}=`))
    .sort()
    .join('&');
  const headers: Record<string, string> = {
    ...request.headers,
    'content-length': String(request.body.length),
  };
  if (headers['x-amz-content-sha256'] !== undefined && headers['x-amz-content-sha256'] !== 'UNSIGNED-PAYLOAD')
    headers['x-amz-content-sha256'] = sha256(request.body);
  const names = signedHeaders.split(';');
  const canonical = [
    request.method,
    decodeURIComponent(path),
    canonicalQuery,
    names.map((name) => `${name}:${String(headers[name] ?? '').trim()}\n`).join(''),
    signedHeaders,
    headers['x-amz-content-sha256'] ?? sha256(request.body),
  ].join('\n');
  const credentialScope = `${date}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', headers['x-amz-date'] ?? '', credentialScope, sha256(canonical)].join(
    '\n',
  );
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
  const signature = createHmac('sha256', key).update(toSign, 'utf8').digest('hex');
  return {
    ...headers,
    authorization: authorization.replace(/Signature=[0-9a-f]+/, `Signature=${signature}`),
  };
};

/** A request must be re-signed for moto: its query holds an encoded character, or its body was changed. */
export const needsResigning = (url: string, bodyChanged: boolean): boolean =>
  bodyChanged || /%[0-9A-Fa-f]{2}/.test(url);

/**
 * (6) Limits AWS documents and moto does not enforce, refused here as AWS would:
 * - EventBridge PutEvents: the total entry size must be under 256 KB, counted as AWS counts it (Time 14 bytes,
 *   Source, DetailType, Detail and each Resources entry in UTF-8): "Calculating PutEvents event entry size";
 * - Firehose PutRecord: a record's data is at most 1,000 KiB before base64 (Record.Data, length ≤ 1,024,000).
 * (SQS's 10 entries and 1 MiB per batch moto does enforce.)
 */
export const limitMotoSkips = (
  target: string,
  input: Record<string, unknown>,
): { type: string; message: string } | undefined => {
  if (target === 'AWSEvents.PutEvents') {
    const bytes = (text: unknown) => (typeof text === 'string' ? Buffer.byteLength(text, 'utf8') : 0);
    const entries = list(input.Entries as Record<string, unknown>[] | undefined);
    const size = entries.reduce(
      (sum, entry) =>
        sum +
        (entry.Time === undefined ? 0 : 14) +
        bytes(entry.Source) +
        bytes(entry.DetailType) +
        bytes(entry.Detail) +
        list(entry.Resources as string[] | undefined).reduce((total, resource) => total + bytes(resource), 0),
      0,
    );
    if (size >= 256 * 1024)
      return {
        type: 'ValidationException',
        message: `Total size of the entries in the request is over the limit (${size} bytes; under 262144).`,
      };
  }
  if (target === 'Firehose_20150804.PutRecord') {
    const data = (input.Record as { Data?: string } | undefined)?.Data ?? '';
    const size = Buffer.from(data, 'base64').length;
    if (size > 1_024_000)
      return {
        type: 'ValidationException',
        message: `1 validation error detected: Value at 'record.data' failed to satisfy constraint: Member must have length less than or equal to 1024000 (${size} bytes)`,
      };
  }
  return undefined;
};

/**
 * (7) moto refuses a JSON-protocol call (DynamoDB, SQS, Secrets Manager, EventBridge, Firehose) with an XML
 * body, which the SDK cannot parse (it reports a deserialization error); AWS answers JSON with
 * `AccessDeniedException`. The refusal is passed on in AWS's shape, so the function handles it as it would
 * in AWS.
 */
export const jsonAccessDenied = (
  xml: string,
  version: string,
): { headers: Record<string, string>; body: string } => {
  const message = /<Message>([^<]*)<\/Message>/.exec(xml)?.[1] ?? 'access denied';
  return {
    headers: {
      'content-type': `application/x-amz-json-${version}`,
      'x-amzn-errortype': 'AccessDeniedException',
      'x-amzn-requestid': randomUUID(),
    },
    body: JSON.stringify({ __type: 'AccessDeniedException', message }),
  };
};

/** A DynamoDB stream record as Lambda delivers it (NEW_AND_OLD_IMAGES). */
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

let sequence = 0;

/**
 * (8) moto's DynamoDB stream records an UpdateItem that creates an item as two INSERTs (the key alone, then
 * the item) and stamps every record `awsRegion: us-east-1`; AWS writes one record per item-level change.
 * The stream is built here instead, one record per applied UpdateItem, from the item before and after it.
 */
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

/**
 * (9) moto's Firehose writes each record at once as its own uncompressed object, under the prefix with its
 * `!{timestamp:...}` expressions left as text; AWS buffers records (60 s or 5 MiB here), GZIPs them and expands
 * the prefix (`deliveries/yyyy/MM/dd/HH/`). The archive is laid out here as AWS writes it, from moto's records.
 */
export const firehoseAsAws = (
  records: Buffer[],
): { objects: Map<string, Buffer>; from: number; to: number } => {
  const byHour = new Map<string, Buffer[]>();
  let from = Number.POSITIVE_INFINITY;
  let to = 0;
  for (const record of records) {
    const { receivedAt } = JSON.parse(record.toString('utf8')) as { receivedAt: number };
    [from, to] = [Math.min(from, receivedAt), Math.max(to, receivedAt)];
    const hour = hourPartition(receivedAt);
    byHour.set(hour, [...(byHour.get(hour) ?? []), record]);
  }
  const objects = new Map(
    [...byHour].map(([hour, hourRecords]) => [
      `deliveries/${hour}/archive-1-rehearsal`,
      gzipSync(Buffer.concat(hourRecords)),
    ]),
  );
  return { objects, from: Math.floor(from / 1000), to: Math.ceil(to / 1000) };
};
