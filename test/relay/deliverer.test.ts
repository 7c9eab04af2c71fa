import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SQSBatchResponse } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LocalClaimStore } from '../../local/claim-store.js';
import { MemoryDeadLetters } from '../../local/dead-letters.js';
import { localContext } from '../../local/lambda-context.js';
import { createRelayDeliverer } from '../../shared/app/relay/deliverer.js';
import {
  parseRelayDestinations,
  RELAY_DEFAULTS,
  type RelayDestination,
} from '../../shared/app/relay/destinations.js';
import { relayBody } from '../../shared/app/relay/message.js';
import { retryDelaySeconds, worstCaseRetrySeconds } from '../../shared/app/relay/retry.js';
import { signBody, verifySignature } from '../../shared/platform/http/signature.js';
import { Telemetry } from '../../shared/platform/observability/telemetry.js';
import { captureOutput } from '../support/lambda.js';
import { sqsRecord } from '../support/sqs.js';

/** What the stand-in destination answers next, and every request it took. */
type Answer = { status: number; headers?: Record<string, string>; holdMs?: number };
let answers: Answer[] = [];
const requests: { path: string; headers: IncomingMessage['headers']; body: Buffer }[] = [];
let server: Server;
let base = '';

const SECRET_ANSWER = 'internal detail the relay must never log';
const OWN_SECRET = 'own-secret-9c1d';
const APP_SECRET = 'app-secret-4e2f';
const DELIVERY = JSON.stringify({
  object: 'whatsapp_business_account',
  entry: [
    {
      id: '102290129340398',
      changes: [
        { field: 'messages', value: { metadata: { phone_number_id: '1' }, text: 'private words' } },
        { field: 'account_update', value: { event: 'PARTNER_ADDED' } },
      ],
    },
  ],
});

beforeAll(async () => {
  server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({ path: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks) });
      const answer = answers.shift() ?? { status: 200 };
      setTimeout(() => {
        response.writeHead(answer.status, answer.headers ?? {});
        response.end(SECRET_ANSWER);
      }, answer.holdMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});
beforeEach(() => {
  answers = [];
  requests.length = 0;
});

const destinationOf = (extra: Record<string, unknown> = {}): RelayDestination => {
  const [parsed] = parseRelayDestinations(
    [
      {
        name: 'crm',
        url: `${base}/hook?token=url-token-77`,
        fields: ['messages'],
        signing: 'meta',
        maxAttempts: 3,
        timeoutSeconds: 1,
        ...extra,
      },
    ],
    'https-or-loopback-http',
  );
  if (parsed === undefined) throw new Error('a destination');
  return parsed;
};

const copy = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    v: 1,
    relay: 'crm',
    deliveryId: 'd1',
    receivedAt: 1_000,
    signature: signBody(DELIVERY, APP_SECRET),
    ...relayBody(Buffer.from(DELIVERY)),
    ...extra,
  });

const harness = (destination: RelayDestination, options: { secret?: () => Promise<string> } = {}) => {
  const later: [string, number][] = [];
  const deadLetters = new MemoryDeadLetters();
  const claims = new LocalClaimStore();
  const telemetry = new Telemetry('relay-crm');
  telemetry.logger.setLogLevel('DEBUG');
  const handler = createRelayDeliverer({
    destination,
    secret: { get: options.secret ?? (async () => OWN_SECRET) },
    claims,
    retries: { later: async (handle, seconds) => void later.push([handle, seconds]) },
    deadLetters,
    telemetry,
    random: () => 0.5,
    now: () => 61_000,
  });
  const run = async (body: string, receiveCount = 1, remainingMs = 30_000) =>
    captureOutput(
      () =>
        handler(
          { Records: [sqsRecord(body, 'm1', receiveCount)] },
          localContext('relay', remainingMs),
        ) as Promise<SQSBatchResponse>,
    );
  return { run, later, deadLetters, claims };
};

describe('a destination’s deliverer (real HTTP on 127.0.0.1)', () => {
  it('forwards a meta copy: the exact bytes, Meta’s signature, the delivery ID', async () => {
    // Prepare
    const { run, later } = harness(destinationOf());
    // Act
    const { result } = await run(copy());
    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(later).toEqual([]);
    const [request] = requests;
    expect(request?.path).toBe('/hook?token=url-token-77');
    expect(request?.body.toString('utf8')).toBe(DELIVERY);
    expect(
      verifySignature(request?.body ?? Buffer.alloc(0), request?.headers['x-hub-signature-256'] as string, [
        APP_SECRET,
      ]),
    ).toBe(true);
    expect(request?.headers['x-switchboard-delivery-id']).toBe('d1');
    expect(request?.headers['content-type']).toBe('application/json');
  });

  it('sends an own copy with only the matching changes, signed with the destination’s secret', async () => {
    // Prepare
    const { run } = harness(destinationOf({ signing: 'own' }));
    // Act
    await run(copy({ signature: undefined }));
    // Assess
    const [request] = requests;
    const sent = JSON.parse(request?.body.toString('utf8') ?? '{}');
    expect(sent.entry[0].changes.map((change: { field: string }) => change.field)).toEqual(['messages']);
    expect(
      verifySignature(request?.body ?? Buffer.alloc(0), request?.headers['x-hub-signature-256'] as string, [
        OWN_SECRET,
      ]),
    ).toBe(true);
    expect(
      verifySignature(request?.body ?? Buffer.alloc(0), request?.headers['x-hub-signature-256'] as string, [
        APP_SECRET,
      ]),
    ).toBe(false);
  });

  it('waits as the destination asks on 503 and 429 (Retry-After in seconds or as a date), else backs off', async () => {
    // Prepare
    const { run, later } = harness(destinationOf());
    answers = [
      { status: 503, headers: { 'retry-after': '120' } },
      { status: 429, headers: { 'retry-after': new Date(61_000 + 30_000).toUTCString() } },
      { status: 500 },
      { status: 429, headers: { 'retry-after': '86400' } },
    ];
    // Act
    const results = [await run(copy()), await run(copy()), await run(copy(), 2), await run(copy())];
    // Assess: the record stays on the queue each time, visible again after the wait.
    for (const { result } of results) expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    // 120 s as asked; 30 s to the date; attempt 2: half (random 0.5) of 2 × 2 s; a day is capped at an hour.
    expect(later).toEqual([
      ['rh-m1', 120],
      ['rh-m1', 30],
      ['rh-m1', 2],
      ['rh-m1', 3_600],
    ]);
  });

  it('retries a connection that fails and a destination that does not answer in time', async () => {
    // Prepare
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = harness(destinationOf({ url: `http://127.0.0.1:${port}/` }));
    const slow = harness(destinationOf());
    answers = [{ status: 200, holdMs: 3_000 }];
    // Act
    const [a, b] = [await refused.run(copy()), await slow.run(copy())];
    // Assess
    expect(a.result.batchItemFailures).toHaveLength(1);
    expect(a.output).toContain('ECONNREFUSED');
    expect(b.result.batchItemFailures).toHaveLength(1);
    expect(b.output).toContain('"reason":"timeout"');
  });

  it('never follows a redirect, and parks it and any other 4xx in the DLQ with the reason', async () => {
    // Prepare
    const { run, deadLetters, later } = harness(destinationOf());
    answers = [{ status: 302, headers: { location: `${base}/elsewhere` } }, { status: 401 }];
    // Act
    const results = [await run(copy()), await run(copy())];
    // Assess: settled (deleted from the queue), kept in the DLQ with why; nothing went to the Location.
    for (const { result } of results) expect(result.batchItemFailures).toEqual([]);
    expect(requests.map((request) => request.path)).toEqual([
      '/hook?token=url-token-77',
      '/hook?token=url-token-77',
    ]);
    expect(deadLetters.messages.map((message) => message.attributes)).toEqual([
      {
        reason: 'HTTP 302 (redirects are not followed)',
        queue: 'relay:crm',
        attempts: '1',
        sourceMessageId: 'm1',
        deliveryId: 'd1',
      },
      { reason: 'HTTP 401', queue: 'relay:crm', attempts: '1', sourceMessageId: 'm1', deliveryId: 'd1' },
    ]);
    expect(deadLetters.messages[0]?.body).toBe(copy());
    expect(later).toEqual([]);
  });

  it('parks the last attempt’s failure in the DLQ, saying how many attempts were made', async () => {
    // Prepare
    const { run, deadLetters } = harness(destinationOf());
    answers = [{ status: 503 }];
    // Act
    const { result } = await run(copy(), 3);
    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(deadLetters.messages[0]?.attributes.reason).toBe('HTTP 503 (after 3 attempts)');
  });

  it('parks what is not a copy for this destination, and sends nothing', async () => {
    // Prepare
    const { run, deadLetters } = harness(destinationOf());
    // Act
    await run('not json');
    await run(copy({ relay: 'other' }));
    await run(copy({ signature: 'sha1=abc' }));
    // Assess
    expect(requests).toEqual([]);
    expect(deadLetters.messages.map((message) => message.attributes.reason)).toEqual([
      'message is not a relay copy',
      'a copy for other reached the queue of crm',
      'the copy carries no Meta signature to forward',
    ]);
  });

  it('reads a body from its claim check, and retries when the claim or the secret cannot be read', async () => {
    // Prepare
    const { run, claims, later } = harness(destinationOf());
    await claims.put('claims/relay/2026-12-07/d1.json', JSON.stringify(relayBody(Buffer.from(DELIVERY))));
    const claimed = { body: undefined, claimCheck: { key: 'claims/relay/2026-12-07/d1.json', bytes: 1 } };
    const failing = harness(destinationOf({ signing: 'own' }), {
      secret: async () => {
        throw new Error('secrets down');
      },
    });
    // Act
    const found = await run(copy(claimed));
    const missing = await run(copy({ ...claimed, claimCheck: { key: 'claims/relay/nope.json', bytes: 1 } }));
    const noSecret = await failing.run(copy());
    // Assess
    expect(found.result.batchItemFailures).toEqual([]);
    expect(requests[0]?.body.toString('utf8')).toBe(DELIVERY);
    expect(missing.result.batchItemFailures).toHaveLength(1);
    expect(noSecret.result.batchItemFailures).toHaveLength(1);
    expect(later).toHaveLength(1);
    expect(requests).toHaveLength(1);
  });

  it('starts no request its timeout would not fit in the invocation: it comes back at once', async () => {
    // Prepare
    const { run, later } = harness(destinationOf());
    // Act
    const { result } = await run(copy(), 1, 2_500);
    // Assess
    expect(result.batchItemFailures).toHaveLength(1);
    expect(later).toEqual([['rh-m1', 0]]);
    expect(requests).toEqual([]);
  });

  it('logs no body, no answer, no URL and no secret, whatever happens', async () => {
    // Prepare
    const meta = harness(destinationOf());
    const own = harness(destinationOf({ signing: 'own' }));
    answers = [{ status: 500 }, { status: 400 }, { status: 200 }, { status: 503 }];
    // Act
    const outputs = [
      await meta.run(copy()),
      await meta.run(copy()),
      await own.run(copy()),
      await own.run(copy(), 3),
    ].map(({ output }) => output);
    // Assess
    const all = outputs.join('');
    expect(all).toContain('relay copy will be retried');
    expect(all).toContain('relay copy moved to the DLQ');
    for (const secret of [
      SECRET_ANSWER,
      'private words',
      OWN_SECRET,
      APP_SECRET,
      'url-token-77',
      '127.0.0.1',
    ])
      expect(all).not.toContain(secret);
  });
});

describe('the retry policy', () => {
  it('waits within [1 s, the attempt’s ceiling], honours Retry-After up to an hour, and gives up after 2.8 hours by default', () => {
    for (const attempt of [1, 2, 5, 9, 10, 30])
      for (const random of [0, 0.3, 0.999]) {
        const seconds = retryDelaySeconds(attempt, undefined, () => random);
        expect(seconds).toBeGreaterThanOrEqual(1);
        expect(seconds).toBeLessThanOrEqual(Math.min(900, 2 * 2 ** (attempt - 1)));
      }
    expect(retryDelaySeconds(3, 0)).toBe(1);
    expect(retryDelaySeconds(3, 7_200)).toBe(3_600);
    expect(worstCaseRetrySeconds(RELAY_DEFAULTS.maxAttempts)).toBe(10_022);
  });
});
