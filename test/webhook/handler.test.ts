import { FirehoseClient, PutRecordCommand } from '@aws-sdk/client-firehose';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SendMessageBatchCommand, type SendMessageBatchCommandInput, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { FIXTURES } from '../../fixtures/deliveries.js';
import { composeIntake } from '../../shared/app/roots/webhook.js';
import { createWebhookHandler, MAX_WEBHOOK_BODY_BYTES } from '../../shared/app/webhook/handle-webhook.js';
import { FirehoseArchive } from '../../shared/platform/aws/firehose-archive.js';
import { S3ClaimWriter } from '../../shared/platform/aws/s3-claim-writer.js';
import { SqsMessageSink } from '../../shared/platform/aws/sqs-sink.js';
import { signBody } from '../../shared/platform/http/signature.js';
import type { HttpResult } from '../../shared/platform/http/types.js';
import { Telemetry } from '../../shared/platform/observability/telemetry.js';
import type { ChangeEnvelope, ClaimCheckPointer } from '../../shared/platform/queue/envelope.js';
import { envSecretSource } from '../../shared/platform/secrets/meta-secrets.js';
import { context, httpEvent } from '../support/lambda.js';

const SECRET = 'current-secret';
const PREVIOUS = 'previous-secret';
const VERIFY = 'verify-token';
const URLS = {
  solutions: 'https://sqs.test/solutions',
  wabas: 'https://sqs.test/wabas',
  threads: 'https://sqs.test/threads',
  passthrough: 'https://sqs.test/passthrough',
};
const QUEUE_BY_URL = Object.fromEntries(Object.entries(URLS).map(([name, url]) => [url, name]));

const sqsMock = mockClient(SQSClient);
const s3Mock = mockClient(S3Client);
const firehoseMock = mockClient(FirehoseClient);
const archive = new FirehoseArchive(
  'switchboard-archive',
  new S3ClaimWriter('archive-bucket', { region: 'us-east-1' }),
  new FirehoseClient({ region: 'us-east-1' }),
);

const handler = createWebhookHandler({
  archive,
  secrets: envSecretSource({
    META_APP_SECRET: SECRET,
    META_APP_SECRET_PREVIOUS: PREVIOUS,
    META_VERIFY_TOKEN: VERIFY,
  }),
  intake: composeIntake({
    sink: new SqsMessageSink(new SQSClient({ region: 'us-east-1' }), URLS),
    claims: new S3ClaimWriter('claims-bucket', { region: 'us-east-1' }),
    publisherOptions: { sleep: async () => undefined },
  }),
  telemetry: new Telemetry('webhook'),
});

const acceptAll = (input: SendMessageBatchCommandInput) => ({
  Successful: (input.Entries ?? []).map((entry) => ({
    Id: entry.Id,
    MessageId: `m-${entry.Id}`,
    MD5OfMessageBody: 'x',
  })),
  Failed: [],
});

const sentBatches = () => sqsMock.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input);
const sentBodies = () =>
  sentBatches().flatMap((input) =>
    (input.Entries ?? []).map((entry) => ({
      queue: QUEUE_BY_URL[input.QueueUrl ?? ''],
      body: JSON.parse(entry.MessageBody ?? '') as ChangeEnvelope,
    })),
  );

const post = async (
  body: string | Buffer,
  headers: Record<string, string>,
  base64 = false,
): Promise<HttpResult> =>
  (await handler(
    httpEvent({ method: 'POST', path: '/webhook', body, headers, base64 }),
    context(),
  )) as HttpResult;

const signed = (body: string | Buffer, secret = SECRET) => ({
  'x-hub-signature-256': signBody(body, secret),
  'content-type': 'application/json',
});

// The test files share a worker's modules: give the clients back as they were.
afterAll(() => {
  sqsMock.restore();
  s3Mock.restore();
  firehoseMock.restore();
});

beforeEach(() => {
  sqsMock.reset();
  s3Mock.reset();
  firehoseMock.reset();
  firehoseMock.on(PutRecordCommand).resolves({ RecordId: 'r' });
  sqsMock.on(SendMessageBatchCommand).callsFake(acceptAll);
  s3Mock.on(PutObjectCommand).resolves({});
});

describe('GET /webhook verification', () => {
  const verify = async (query: Record<string, string>) =>
    (await handler(httpEvent({ method: 'GET', path: '/webhook', query }), context())) as HttpResult;

  it('answers the challenge as plain text for the right token', async () => {
    const response = await verify({
      'hub.mode': 'subscribe',
      'hub.verify_token': VERIFY,
      'hub.challenge': '1158201444',
    });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('1158201444');
    expect(response.headers?.['content-type']).toMatch(/^text\/plain/);
  });

  it('answers 403 for a wrong token or mode, 400 for missing parameters', async () => {
    expect(
      (await verify({ 'hub.mode': 'subscribe', 'hub.verify_token': 'nope', 'hub.challenge': '1' }))
        .statusCode,
    ).toBe(403);
    expect(
      (await verify({ 'hub.mode': 'unsubscribe', 'hub.verify_token': VERIFY, 'hub.challenge': '1' }))
        .statusCode,
    ).toBe(403);
    expect((await verify({ 'hub.mode': 'subscribe', 'hub.verify_token': VERIFY })).statusCode).toBe(400);
    const empty = { 'hub.mode': 'subscribe', 'hub.verify_token': VERIFY, 'hub.challenge': '' };
    expect((await verify(empty)).statusCode).toBe(400);
    expect((await verify({})).statusCode).toBe(400);
  });
});

describe('POST /webhook', () => {
  const body = JSON.stringify(FIXTURES['partner-added']?.body);

  it('queues a signed delivery and answers 200', async () => {
    const response = await post(body, signed(body));
    expect(response.statusCode).toBe(200);
    const [message] = sentBodies();
    expect(message?.queue).toBe('wabas');
    expect(message?.body).toMatchObject({
      v: 1,
      object: 'whatsapp_business_account',
      entryId: '506914307656634',
      entryTime: 1690592557,
      kind: 'account_update',
    });
    expect(message?.body.eventId).toMatch(/^[0-9a-f]{40}$/);
  });

  it.each([
    ['a wrong secret', () => signed(body, 'wrong')],
    ['no signature header', () => ({})],
    [
      'a sha1= signature',
      () => ({ 'x-hub-signature-256': signBody(body, SECRET).replace('sha256=', 'sha1=') }),
    ],
    ['an odd-length signature', () => ({ 'x-hub-signature-256': signBody(body, SECRET).slice(0, -1) })],
    ['a non-hex signature', () => ({ 'x-hub-signature-256': `sha256=${'g'.repeat(64)}` })],
    ['a multibyte signature', () => ({ 'x-hub-signature-256': `sha256=${'ü'.repeat(64)}` })],
    ['the signature of a re-serialized body', () => signed(JSON.stringify(JSON.parse(body), null, 1))],
  ])('answers 401 and queues nothing for %s', async (_name, headers) => {
    const response = await post(body, headers());
    expect(response.statusCode).toBe(401);
    expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
  });

  it('answers 401 for one flipped byte of the body', async () => {
    const bytes = Buffer.from(body, 'utf8');
    const headers = signed(bytes);
    bytes[bytes.length - 3] = (bytes[bytes.length - 3] ?? 0) ^ 1;
    expect((await post(bytes, headers, true)).statusCode).toBe(401);
    expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
  });

  it('accepts the previous secret during rotation', async () => {
    expect((await post(body, signed(body, PREVIOUS))).statusCode).toBe(200);
  });

  it('verifies the raw bytes: emoji, \\u escapes, base64 bodies and mixed-case headers', async () => {
    const raw =
      '{"object":"page","entry":[{"id":"1","time":1,"messaging":[{"message":{"text":"caf\\u00e9 👋"},"timestamp":1}]}]}';
    expect((await post(raw, signed(raw))).statusCode).toBe(200);
    expect((await post(Buffer.from(raw, 'utf8'), signed(raw), true)).statusCode).toBe(200);
    expect((await post(raw, { 'X-Hub-Signature-256': signBody(raw, SECRET) })).statusCode).toBe(200);
    expect(sentBodies().map((message) => message.queue)).toEqual([
      'passthrough',
      'passthrough',
      'passthrough',
    ]);
  });

  it('answers 400 for a signed body that is not a JSON object', async () => {
    for (const invalid of ['[1,2]', 'null', '"text"', '{"unterminated": ', 'not json']) {
      expect((await post(invalid, signed(invalid))).statusCode).toBe(400);
    }
    expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
  });

  it('answers 413 for a body over 4 MiB, before checking anything else', async () => {
    const huge = Buffer.alloc(MAX_WEBHOOK_BODY_BYTES + 1, 0x20);
    expect((await post(huge, signed(huge), true)).statusCode).toBe(413);
    expect((await post(huge.toString('utf8'), signed(huge))).statusCode).toBe(413);
  });

  it('splits 1000 changes over many entries into exactly 1000 messages, routed, in ⌈1000/10⌉ calls', async () => {
    // Prepare: 100 entries of 10 changes: 400 solutions, 400 WABAs, 200 other fields.
    const fields = ['partner_solutions', 'account_update', 'partner_solutions', 'account_update', 'messages'];
    const entry = (index: number) => ({
      id: '506914307656634',
      time: 1_700_000_000 + index,
      changes: Array.from({ length: 10 }, (_, change) => {
        const field = fields[Math.floor(change / 2)] ?? 'messages';
        const value =
          field === 'partner_solutions'
            ? { event: 'SOLUTION_UPDATED', solution_id: `s${index}-${change}`, solution_status: 'ACTIVE' }
            : field === 'account_update'
              ? { event: 'PARTNER_ADDED', waba_info: { waba_id: `w${index}-${change}` } }
              : { statuses: [{ id: `wamid.${index}.${change}` }] };
        return { field, value };
      }),
    });
    const delivery = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: Array.from({ length: 100 }, (_, index) => entry(index)),
    });
    // Act
    const response = await post(delivery, signed(delivery));
    // Assess
    expect(response.statusCode).toBe(200);
    const messages = sentBodies();
    expect(messages).toHaveLength(1000);
    expect(new Set(messages.map((message) => message.body.eventId)).size).toBe(1000);
    const count = (queue: string) => messages.filter((message) => message.queue === queue).length;
    expect([count('solutions'), count('wabas'), count('passthrough')]).toEqual([400, 400, 200]);
    expect(messages.every((m) => (m.queue === 'solutions') === (m.body.kind === 'partner_solutions'))).toBe(
      true,
    );
    expect(sentBatches()).toHaveLength(100);
    expect(sentBatches().every((input) => (input.Entries ?? []).length <= 10)).toBe(true);
  });

  it('routes each handover notification to the threads queue', async () => {
    for (const name of [
      'take-thread-control',
      'pass-thread-control',
      'request-thread-control',
      'pass-metadata',
      'app-roles',
      'instagram-take',
    ]) {
      const delivery = JSON.stringify(FIXTURES[name]?.body);
      expect((await post(delivery, signed(delivery))).statusCode).toBe(200);
    }
    expect(sentBodies().map((message) => message.queue)).toEqual(Array(6).fill('threads'));
  });

  it('queues changes up to SQS 1 MiB inline; keeps a larger passthrough change in S3 and queues a pointer', async () => {
    const inline = 'x'.repeat(300_000);
    const small = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [{ id: '1', time: 1, changes: [{ field: 'messages', value: { text: inline } }] }],
    });
    expect((await post(small, signed(small))).statusCode).toBe(200);
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(0);
    sqsMock.resetHistory();
    const big = 'x'.repeat(1_100_000);
    const delivery = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [{ id: '1', time: 1, changes: [{ field: 'messages', value: { text: big } }] }],
    });
    expect((await post(delivery, signed(delivery))).statusCode).toBe(200);
    // The archive keeps the whole body first (under large/ in its bucket), then the claim check is put.
    const put = s3Mock
      .commandCalls(PutObjectCommand)
      .find((call) => call.args[0].input.Bucket === 'claims-bucket');
    expect(put?.args[0].input).toMatchObject({ Bucket: 'claims-bucket' });
    const pointer = sentBodies()[0]?.body as unknown as ClaimCheckPointer;
    expect(pointer.claimCheck.key).toBe(put?.args[0].input.Key);
    expect(JSON.parse(String(put?.args[0].input.Body)).change.value.text).toBe(big);
  });

  it('a domain change over 1 MiB is refused for its domain and kept in passthrough with the reason', async () => {
    const delivery = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '1',
          time: 1,
          changes: [
            {
              field: 'account_update',
              value: { event: 'ACCOUNT_VIOLATION', padding: 'x'.repeat(1_100_000) },
            },
          ],
        },
      ],
    });
    expect((await post(delivery, signed(delivery))).statusCode).toBe(200);
    const [sent] = sentBodies();
    expect(sent?.queue).toBe('passthrough');
    expect(sent?.body).toMatchObject({ refusedBy: 'wabas', reason: expect.stringContaining('1 MiB') });
  });

  it('retries entries SQS reports as failed, then answers 200', async () => {
    let calls = 0;
    sqsMock.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => {
      calls += 1;
      if (calls > 1) return acceptAll(input);
      const [first, ...rest] = input.Entries ?? [];
      return {
        Successful: rest.map((entry) => ({ Id: entry.Id, MessageId: 'm', MD5OfMessageBody: 'x' })),
        Failed: [{ Id: first?.Id, Code: 'InternalError', SenderFault: false, Message: 'try again' }],
      };
    });
    const delivery = JSON.stringify(FIXTURES.batched?.body);
    expect((await post(delivery, signed(delivery))).statusCode).toBe(200);
    expect(sentBatches().at(-1)?.Entries).toHaveLength(1);
  });

  it('answers 503 when SendMessageBatch keeps throwing', async () => {
    sqsMock.on(SendMessageBatchCommand).rejects(new Error('service unavailable'));
    const response = await post(body, signed(body));
    expect(response.statusCode).toBe(503);
    expect(JSON.parse(response.body)).toMatchObject({ error: 'dependency_unavailable' });
  });

  it('answers 503 when entries stay failed after the retries', async () => {
    sqsMock.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => ({
      Successful: [],
      Failed: (input.Entries ?? []).map((entry) => ({
        Id: entry.Id,
        Code: 'KMS.Throttled',
        SenderFault: false,
        Message: 'slow down',
      })),
    }));
    const response = await post(body, signed(body));
    expect(response.statusCode).toBe(503);
    expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(4);
  });

  it('keeps an unexpected but signed shape for other systems instead of dropping it', async () => {
    const odd = JSON.stringify({
      object: 'page',
      entry: [{ id: '1', time: 2, something_new: true }],
      extra: 1,
    });
    expect((await post(odd, signed(odd))).statusCode).toBe(200);
    const noEntries = JSON.stringify({ hello: 'world' });
    expect((await post(noEntries, signed(noEntries))).statusCode).toBe(200);
    expect(sentBodies().map((message) => [message.queue, message.body.source])).toEqual([
      ['passthrough', 'entry'],
      ['passthrough', 'delivery'],
    ]);
  });

  it('gives the same change the same event ID when Meta delivers it again', async () => {
    const first = JSON.stringify(FIXTURES['solution-created']?.body);
    const again = JSON.stringify(FIXTURES['solution-created']?.body, null, 2);
    await post(first, signed(first));
    await post(again, signed(again));
    const [a, b] = sentBodies();
    expect(a?.body.eventId).toBe(b?.body.eventId);
  });
});

describe('app secret rotation', () => {
  it('re-reads the secret once on a signature mismatch, at most once per 30 s', async () => {
    // Prepare: a cached source that still holds the old app secret until forced to read again
    let stored = 'old-secret';
    let cached = stored;
    let forcedReads = 0;
    const clock = { now: 1_000_000 };
    const rotating = createWebhookHandler({
      archive,
      secrets: {
        get: async (force = false) => {
          if (force) {
            forcedReads += 1;
            cached = stored;
          }
          return {
            appSecret: cached,
            appSecretPrevious: undefined,
            verifyToken: VERIFY,
            systemUserToken: '',
          };
        },
      },
      intake: composeIntake({
        sink: new SqsMessageSink(new SQSClient({ region: 'us-east-1' }), URLS),
        claims: new S3ClaimWriter('claims-bucket', { region: 'us-east-1' }),
        publisherOptions: { sleep: async () => undefined },
      }),
      telemetry: new Telemetry('webhook'),
      now: () => clock.now,
    });
    sqsMock.on(SendMessageBatchCommand).callsFake(acceptAll);
    const body = JSON.stringify(FIXTURES['partner-added']?.body);
    const send = async (secret: string) =>
      (
        (await rotating(
          httpEvent({ method: 'POST', path: '/webhook', body, headers: signed(body, secret) }),
          context(),
        )) as HttpResult
      ).statusCode;

    // Act: the secret is rotated in Secrets Manager while the container is warm
    stored = 'new-secret';
    const afterRotation = await send('new-secret');
    const forged = await send('forged-secret');
    clock.now += 1_000;
    const forgedAgain = await send('forged-secret');
    const readsWithin30s = forcedReads;
    clock.now += 30_000;
    const forgedLater = await send('forged-secret');

    // Assess: the new secret is accepted at once; forgeries cost at most one forced read per 30 s
    expect(afterRotation).toBe(200);
    expect([forged, forgedAgain, forgedLater]).toEqual([401, 401, 401]);
    expect(readsWithin30s).toBe(1);
    expect(forcedReads).toBe(2);
  });
});

describe('the archive: every delivery answered 200 is kept as received', () => {
  it('puts one Firehose record with the raw bytes and the receive time before answering 200', async () => {
    const body = JSON.stringify(FIXTURES['partner-added']?.body);
    const response = await post(body, signed(body));
    expect(response.statusCode).toBe(200);
    const [call] = firehoseMock.commandCalls(PutRecordCommand);
    const line = Buffer.from(call?.args[0].input.Record?.Data ?? new Uint8Array()).toString('utf8');
    const record = JSON.parse(line) as { receivedAt: number; body: string };
    expect(call?.args[0].input.DeliveryStreamName).toBe('switchboard-archive');
    expect(Buffer.from(record.body, 'base64').toString('utf8')).toBe(body);
    expect(record.receivedAt).toEqual(expect.any(Number));
  });

  it('a delivery the archive cannot take answers 503 (Meta delivers it again), never a silent 200', async () => {
    firehoseMock.on(PutRecordCommand).rejects(new Error('ServiceUnavailableException'));
    const body = JSON.stringify(FIXTURES['partner-added']?.body);
    const response = await post(body, signed(body));
    expect(response.statusCode).toBe(503);
    expect(JSON.parse(response.body)).toMatchObject({ error: 'dependency_unavailable' });
  });
});
