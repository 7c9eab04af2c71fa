import { describe, expect, it } from 'vitest';
import { FIXTURES } from '../../fixtures/deliveries.js';
import { signBody } from '../../shared/platform/http/signature.js';
import { getJson, postSigned, useLocalStack } from '../support/local-stack.js';

const SECRET = 'user-supplied-app-secret';
const PREVIOUS = 'user-supplied-previous-secret';
const VERIFY = 'user-supplied-verify-token';
const local = useLocalStack({
  env: { META_APP_SECRET: SECRET, META_APP_SECRET_PREVIOUS: PREVIOUS, META_VERIFY_TOKEN: VERIFY },
});

const queued = () =>
  local.stack.queues.stats().reduce((sum, queue) => sum + queue.visible + queue.inFlight, 0);
const fixture = (name: string) => JSON.stringify(FIXTURES[name]?.body);

describe('local mode over HTTP: verification and signatures', () => {
  it('answers GET /healthz', async () => {
    expect((await fetch(`${local.stack.url}/healthz`)).status).toBe(200);
  });

  it('verification: the challenge for the right token, 403 for a wrong one, 400 when parameters are missing', async () => {
    const verify = (query: string) => fetch(`${local.stack.url}/webhook?${query}`);
    const ok = await verify(`hub.mode=subscribe&hub.verify_token=${VERIFY}&hub.challenge=1158201444`);
    expect([ok.status, await ok.text()]).toEqual([200, '1158201444']);
    expect((await verify('hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1')).status).toBe(403);
    expect((await verify('hub.mode=subscribe&hub.challenge=1')).status).toBe(400);
  });

  it('every forged form answers 401 and queues nothing', async () => {
    const body = fixture('partner-added');
    const valid = signBody(body, SECRET);
    const flipped = Buffer.from(body);
    flipped[10] = (flipped[10] ?? 0) ^ 1;
    const forged: [string, string | Buffer, Record<string, string>][] = [
      ['wrong secret', body, { 'x-hub-signature-256': signBody(body, 'guess') }],
      ['missing header', body, {}],
      ['sha1 prefix', body, { 'x-hub-signature-256': valid.replace('sha256', 'sha1') }],
      ['odd length', body, { 'x-hub-signature-256': valid.slice(0, -1) }],
      ['non-hex', body, { 'x-hub-signature-256': `sha256=${'q'.repeat(64)}` }],
      ['flipped byte', flipped, { 'x-hub-signature-256': valid }],
      ['re-serialized', JSON.stringify(JSON.parse(body), null, 2), { 'x-hub-signature-256': valid }],
    ];
    for (const [name, payload, headers] of forged) {
      const response = await fetch(`${local.stack.url}/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: payload,
      });
      expect(response.status, name).toBe(401);
    }
    expect(local.stack.queues.sendCalls).toBe(0);
    expect(queued()).toBe(0);
  });

  it('accepts the previous secret, emoji and escapes, binary-typed (base64) bodies and mixed-case headers', async () => {
    const raw =
      '{"object":"page","entry":[{"id":"1","time":1,"messaging":[{"message":{"text":"caf\\u00e9 👋"},"timestamp":1}]}]}';
    expect((await postSigned(local.stack.url, raw, PREVIOUS)).status).toBe(200);
    expect(
      (await postSigned(local.stack.url, raw, SECRET, { 'content-type': 'application/octet-stream' })).status,
    ).toBe(200);
    const mixed = await fetch(`${local.stack.url}/webhook`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-HUB-Signature-256': signBody(raw, SECRET) },
      body: raw,
    });
    expect(mixed.status).toBe(200);
  });

  it('answers 400 for a signed non-object and 413 for a body over 4 MiB', async () => {
    expect((await postSigned(local.stack.url, '[]', SECRET)).status).toBe(400);
    const huge = Buffer.alloc(4 * 1024 * 1024 + 1, 0x20);
    expect((await postSigned(local.stack.url, huge, SECRET)).status).toBe(413);
  });

  it('answers 404 for unknown routes and 405 for a wrong method', async () => {
    expect((await fetch(`${local.stack.url}/nope`)).status).toBe(404);
    expect((await fetch(`${local.stack.url}/v1/solutions`, { method: 'POST' })).status).toBe(405);
  });
});

describe('local mode end to end: fixtures to the read model', () => {
  it('PARTNER_ADDED reads back with the reference values and discoveredBy webhook', async () => {
    expect((await postSigned(local.stack.url, fixture('partner-added'), SECRET)).status).toBe(200);
    await local.stack.drain();
    const { status, body } = await getJson(`${local.stack.url}/v1/wabas/102290129340398`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      wabaId: '102290129340398',
      ownerBusinessId: '6143763655652543',
      solutionId: '303610109049230',
      partnerBusinessIds: ['506914307656634', '116133292427920'],
      onboardedAt: 1690592557,
      active: true,
      lastEvent: 'PARTNER_ADDED',
      discoveredBy: 'webhook',
    });
    const list = await getJson(`${local.stack.url}/v1/wabas?solutionId=303610109049230`);
    expect((list.body.items as { wabaId: string }[]).map((waba) => waba.wabaId)).toContain('102290129340398');
  });

  it('SOLUTION_CREATED reads back as INITIATED', async () => {
    await postSigned(local.stack.url, fixture('solution-created'), SECRET);
    await local.stack.drain();
    const { body } = await getJson(`${local.stack.url}/v1/solutions/774485461512159`);
    expect(body).toMatchObject({
      solutionId: '774485461512159',
      status: 'INITIATED',
      businessId: '506914307656634',
      statusChangedAt: 1718143652,
    });
    const list = await getJson(`${local.stack.url}/v1/solutions`);
    expect(
      (list.body.items as { solutionId: string }[]).some((item) => item.solutionId === '774485461512159'),
    ).toBe(true);
  });

  it('a take notification reads back as the thread owner; app roles on the page', async () => {
    await postSigned(local.stack.url, fixture('take-thread-control'), SECRET);
    await postSigned(local.stack.url, fixture('app-roles'), SECRET);
    await local.stack.drain();
    const { body } = await getJson(`${local.stack.url}/v1/threads/1029384756102938/5647382910564738`);
    expect(body).toMatchObject({
      ownerAppId: '21202248997039',
      previousOwnerAppId: '263902037430900',
      metadata: 'Information about the conversation',
      updatedAt: 1458692752478,
    });
    const page = await getJson(`${local.stack.url}/v1/pages/1029384756102938`);
    expect(page.body).toMatchObject({ appRoles: { '21202248997039': ['primary_receiver'] } });
  });

  it('answers 404 for what it does not know, 400 for bad list parameters', async () => {
    expect((await fetch(`${local.stack.url}/v1/wabas/999`)).status).toBe(404);
    expect((await fetch(`${local.stack.url}/v1/solutions/999`)).status).toBe(404);
    expect((await fetch(`${local.stack.url}/v1/threads/1/2`)).status).toBe(404);
    expect((await fetch(`${local.stack.url}/v1/wabas?limit=0`)).status).toBe(400);
    expect((await fetch(`${local.stack.url}/v1/solutions?limit=0`)).status).toBe(400);
    expect((await fetch(`${local.stack.url}/v1/solutions?cursor=%%%`)).status).toBe(400);
  });

  it('keeps other fields in the passthrough queue', async () => {
    await postSigned(local.stack.url, fixture('message'), SECRET);
    const bodies = local.stack.queues
      .get('passthrough')
      .bodies()
      .map((body) => JSON.parse(body) as { kind: string });
    expect(bodies.some((body) => body.kind === 'messages')).toBe(true);
  });
});
