import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signBody } from '../../shared/platform/http/signature.js';
import { useLocalStack } from '../support/local-stack.js';
import { FUZZ_SEED as SEED, sized } from '../support/sizes.js';

/** 400 requests in `npm test` (a few seconds); 10,000 in `npm run test:soak`, or FUZZ_RUNS. */
const RUNS = sized('FUZZ_RUNS', { fast: 400, soak: 10_000 });
const SECRET = 'fuzz-app-secret';
// The webhook alone: consumers stay off so the queues only count what was accepted.
const local = useLocalStack({ env: { META_APP_SECRET: SECRET }, consumers: false });

type Fuzzed = {
  kind: 'unsigned' | 'signed-garbage' | 'valid' | 'method';
  method: string;
  body: Buffer;
  headers: Record<string, string>;
  changes: number;
};

const contentType = fc.constantFrom(
  'application/json',
  'text/plain',
  'application/octet-stream',
  'application/json; charset=utf-16',
  'multipart/form-data; boundary=x',
  '',
);
const bytes = fc.oneof(
  fc.uint8Array({ maxLength: 2_048 }).map((array) => Buffer.from(array)),
  fc.string({ unit: 'binary', maxLength: 512 }).map((text) => Buffer.from(text, 'utf8')),
  fc.json({ maxDepth: 4 }).map((text) => Buffer.from(text, 'utf8')),
  fc.json().map((text) => Buffer.from(`\uFEFF${text}`, 'utf16le')),
  fc
    .integer({ min: 60, max: 3_000 })
    .map((depth) => Buffer.from(`{"object":"page","entry":[${'['.repeat(depth)}${']'.repeat(depth)}]}`)),
  fc
    .integer({ min: 1, max: 5_000 })
    .map((width) =>
      Buffer.from(
        JSON.stringify({ object: 'page', entry: [{ id: '1', time: 1, messaging: Array(width).fill(0) }] }),
      ),
    ),
  fc.json().map((text) => Buffer.from(text, 'utf8').subarray(0, Math.max(0, Buffer.byteLength(text) - 3))),
);
const hex = (minLength: number, maxLength: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), minLength, maxLength });
const forgedSignature = fc.oneof(
  fc.constant(undefined),
  fc.string({ maxLength: 80 }),
  hex(64, 64).map((digits) => `sha256=${digits}`),
  hex(40, 40).map((digits) => `sha1=${digits}`),
  hex(63, 65).map((digits) => `sha256=${digits}`),
);
const headerCase = fc.constantFrom('x-hub-signature-256', 'X-Hub-Signature-256', 'X-HUB-SIGNATURE-256');

const change = fc.oneof(
  fc.record({
    field: fc.constant('partner_solutions'),
    value: fc.record({
      event: fc.constantFrom('SOLUTION_CREATED', 'SOLUTION_UPDATED'),
      solution_id: fc.stringMatching(/^\d{5,15}$/),
      solution_status: fc.constantFrom('INITIATED', 'ACTIVE', 'WEIRD'),
    }),
  }),
  fc.record({
    field: fc.constant('account_update'),
    value: fc.record({
      event: fc.constantFrom('PARTNER_ADDED', 'PARTNER_REMOVED'),
      waba_info: fc.record({
        waba_id: fc.stringMatching(/^\d{5,15}$/),
        solution_id: fc.stringMatching(/^\d{5,15}$/),
      }),
    }),
  }),
  fc.record({
    field: fc.constantFrom('messages', 'statuses', 'template_category_update'),
    value: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
  }),
);
const validDelivery = fc
  .array(
    fc.record({
      id: fc.stringMatching(/^\d{1,15}$/),
      time: fc.integer({ min: 1, max: 2_000_000_000 }),
      changes: fc.array(change, { minLength: 1, maxLength: 4 }),
    }),
    { minLength: 1, maxLength: 3 },
  )
  .map((entry) => ({ object: 'whatsapp_business_account', entry }));

const request: fc.Arbitrary<Fuzzed> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .tuple(bytes, forgedSignature, headerCase, contentType)
      .map(([body, signature, header, type]) => ({
        kind: 'unsigned' as const,
        method: 'POST',
        body,
        headers: {
          ...(signature === undefined ? {} : { [header]: signature }),
          ...(type ? { 'content-type': type } : {}),
        },
        changes: 0,
      })),
  },
  {
    weight: 3,
    arbitrary: fc.tuple(bytes, headerCase, contentType).map(([body, header, type]) => ({
      kind: 'signed-garbage' as const,
      method: 'POST',
      body,
      headers: { [header]: signBody(body, SECRET), ...(type ? { 'content-type': type } : {}) },
      changes: 0,
    })),
  },
  {
    weight: 3,
    arbitrary: fc
      .tuple(validDelivery, headerCase, contentType, fc.boolean())
      .map(([delivery, header, type, pretty]) => {
        const body = Buffer.from(JSON.stringify(delivery, null, pretty ? 2 : undefined), 'utf8');
        return {
          kind: 'valid' as const,
          method: 'POST',
          body,
          headers: { [header]: signBody(body, SECRET), ...(type ? { 'content-type': type } : {}) },
          changes: delivery.entry.reduce((sum, entry) => sum + entry.changes.length, 0),
        };
      }),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.constantFrom('PUT', 'DELETE', 'PATCH', 'GET'), bytes).map(([method, body]) => ({
      kind: 'method' as const,
      method,
      body: method === 'GET' ? Buffer.alloc(0) : body,
      headers: {},
      changes: 0,
    })),
  },
);

describe(`fuzzing the webhook with ${RUNS} generated requests (seed ${SEED})`, () => {
  it('never answers 5xx, queues nothing unsigned, and queues every change of a valid delivery', async () => {
    const seen: Record<string, number> = {};
    await fc.assert(
      fc.asyncProperty(request, async (fuzzed) => {
        const before = local.stack.queues.accepted;
        const response = await fetch(`${local.stack.url}/webhook`, {
          method: fuzzed.method,
          headers: fuzzed.headers,
          ...(fuzzed.body.length > 0 ? { body: fuzzed.body } : {}),
        });
        await response.arrayBuffer();
        const queued = local.stack.queues.accepted - before;
        seen[`${fuzzed.kind} ${response.status}`] = (seen[`${fuzzed.kind} ${response.status}`] ?? 0) + 1;
        expect(response.status).toBeLessThan(500);
        if (fuzzed.kind === 'unsigned') expect([response.status, queued]).toEqual([401, 0]);
        if (fuzzed.kind === 'signed-garbage' && response.status !== 200)
          expect([response.status, queued]).toEqual([400, 0]);
        if (fuzzed.kind === 'valid') expect([response.status, queued]).toEqual([200, fuzzed.changes]);
        if (fuzzed.kind === 'method') expect([405, 200, 400, 403]).toContain(response.status);
      }),
      { numRuns: RUNS, seed: SEED },
    );
    // The generators reached every kind of request and outcome that matters.
    expect(Object.keys(seen)).toEqual(
      expect.arrayContaining(['unsigned 401', 'signed-garbage 400', 'valid 200', 'method 405']),
    );
  });

  it('refuses oversized bodies with 413 whether signed or not, and queues nothing', async () => {
    const before = local.stack.queues.accepted;
    const huge = Buffer.alloc(4 * 1024 * 1024 + 10, 0x7b);
    const attempts: Record<string, string>[] = [{}, { 'x-hub-signature-256': signBody(huge, SECRET) }];
    for (const headers of attempts) {
      const response = await fetch(`${local.stack.url}/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: huge,
      });
      expect(response.status).toBe(413);
    }
    expect(local.stack.queues.accepted).toBe(before);
  });
});
