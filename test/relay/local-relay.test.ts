import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redriveLocal } from '../../cli/redrive-core.js';
import { DEV_DEFAULTS } from '../../local/defaults.js';
import { type RelayReceiver, startRelayReceiver } from '../../local/relay-receiver.js';
import { type LocalStack, startLocalStack } from '../../local/stack.js';
import { parseJsonExact } from '../../shared/kernel/json.js';
import { signBody } from '../../shared/platform/http/signature.js';
import { postSigned } from '../support/local-stack.js';

/** Public samples (Meta's own examples, sources in each file) as whole deliveries. */
const publicBody = (file: string): { object: string; entry: Record<string, unknown>[] } =>
  (
    parseJsonExact(readFileSync(new URL(`../../fixtures/public/${file}.json`, import.meta.url), 'utf8')) as {
      body: { object: string; entry: Record<string, unknown>[] };
    }
  ).body;

const messages = publicBody('whatsapp-routing/messages-several-in-one-delivery');
const standby = publicBody('whatsapp-routing/standby-inbound-message');
const solution = publicBody('partner-solutions/solution-created-initiated');
const PHONE_NUMBER_ID = '106540352242922';
const CRM_SECRET = 'crm-own-secret-5b1c';
const APP_SECRET = DEV_DEFAULTS.META_APP_SECRET;

/** Messages, a standby copy and a partner_solutions change in one delivery, formatted as Meta never would. */
const mixed = `${JSON.stringify({ object: 'whatsapp_business_account', entry: [...messages.entry, ...standby.entry, ...solution.entry] }, null, 2)}\n`;

const until = async (what: string, ready: () => boolean, timeoutMs = 15_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

let stack: LocalStack;
let mirror: RelayReceiver;
let crm: RelayReceiver;
let slow: RelayReceiver;
let bounded: RelayReceiver;
const inFlight = { now: 0, most: 0 };
let release: () => void = () => undefined;
let crmAnswer = 200;

beforeAll(async () => {
  mirror = await startRelayReceiver({ secrets: { meta: APP_SECRET } });
  crm = await startRelayReceiver({
    secrets: { crm: CRM_SECRET, meta: APP_SECRET },
    answer: () => ({ status: crmAnswer }),
  });
  // A destination that takes requests and does not answer until the test lets it.
  slow = await startRelayReceiver({
    secrets: { meta: APP_SECRET },
    answer: () =>
      new Promise((resolve) => {
        release = () => resolve({ status: 200 });
      }),
  });
  // A destination that takes 50 ms per request and counts how many it holds at once.
  bounded = await startRelayReceiver({
    secrets: { meta: APP_SECRET },
    answer: async () => {
      inFlight.now += 1;
      inFlight.most = Math.max(inFlight.most, inFlight.now);
      await new Promise((resolve) => setTimeout(resolve, 50));
      inFlight.now -= 1;
      return { status: 200 };
    },
  });
  const destinations = [
    { name: 'mirror', url: `${mirror.url}/hook`, fields: ['messages', 'standby'], signing: 'meta' },
    {
      name: 'crm',
      url: `${crm.url}/meta`,
      fields: ['messages'],
      phoneNumberIds: [PHONE_NUMBER_ID],
      signing: 'own',
      maxAttempts: 3,
    },
    { name: 'slow', url: slow.url, fields: ['*'], signing: 'meta', timeoutSeconds: 5, maxAttempts: 2 },
    {
      name: 'bounded',
      url: bounded.url,
      fields: ['message_template_status_update'],
      signing: 'meta',
      concurrency: 2,
    },
  ];
  stack = await startLocalStack({
    env: { RELAY_DESTINATIONS: JSON.stringify(destinations), RELAY_SECRET_CRM: CRM_SECRET },
    port: 0,
    visibilityTimeoutMs: 200,
  });
});

afterAll(async () => {
  release();
  await stack?.close();
  await Promise.all([mirror, crm, slow, bounded].map((receiver) => receiver?.close()));
});

describe('the relay in local mode (real HTTP receivers on 127.0.0.1)', () => {
  it('forwards the exact bytes with Meta’s signature to a meta destination, and only the matching changes, signed with its own secret, to an own one', async () => {
    // Act
    const response = await postSigned(stack.url, mixed, APP_SECRET);
    await until('both copies', () => mirror.received.length === 1 && crm.received.length === 1);
    // Assess
    expect(response.status).toBe(200);
    const [whole] = mirror.received;
    expect(whole?.body.equals(Buffer.from(mixed, 'utf8'))).toBe(true);
    expect(whole?.verifiedBy).toBe('meta');
    expect(whole?.headers['x-hub-signature-256']).toBe(signBody(mixed, APP_SECRET));
    const [own] = crm.received;
    expect(own?.verifiedBy).toBe('crm');
    expect(own?.path).toBe('/meta');
    const filtered = parseJsonExact(own?.body.toString('utf8') ?? '') as typeof messages;
    expect(filtered).toEqual({ object: 'whatsapp_business_account', entry: messages.entry });
    // Each kept change is Meta's text, character for character.
    const changeText = JSON.stringify(JSON.parse(mixed).entry[0].changes[0], null, 2)
      .split('\n')
      .join(`\n${' '.repeat(8)}`);
    expect(mixed).toContain(changeText);
    expect(own?.body.toString('utf8')).toContain(changeText);
  });

  it('lets a destination that does not answer delay neither the webhook’s 200 nor another destination', async () => {
    // Prepare
    const before = { mirror: mirror.received.length, slow: slow.received.length };
    const body = JSON.stringify(messages);
    // Act
    const response = await postSigned(stack.url, body, APP_SECRET);
    await until('the mirror copy', () => mirror.received.length === before.mirror + 1);
    // Assess: the slow destination holds its request (unanswered) while the others are done.
    expect(response.status).toBe(200);
    expect(slow.received.length).toBeGreaterThan(0);
    expect(mirror.received.at(-1)?.body.toString('utf8')).toBe(body);
    release();
  });

  it('sends nothing to a destination whose fields or numbers the delivery does not match', async () => {
    // Prepare
    const before = { mirror: mirror.received.length, crm: crm.received.length };
    const other = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '102290129340398',
          changes: [
            {
              field: 'messages',
              value: { messaging_product: 'whatsapp', metadata: { phone_number_id: '999' }, statuses: [] },
            },
          ],
        },
      ],
    });
    // Act
    await postSigned(stack.url, JSON.stringify(solution), APP_SECRET);
    await postSigned(stack.url, other, APP_SECRET);
    await until('the other number’s copy', () => mirror.received.length === before.mirror + 1);
    // Assess: the mirror took only `other` (a messages change); the crm none (another number).
    expect(mirror.received.at(-1)?.body.toString('utf8')).toBe(other);
    expect(crm.received.length).toBe(before.crm);
    expect(stack.relay.queues['relay:crm']?.size()).toEqual({ visible: 0, inFlight: 0 });
  });

  it('parks a refused copy in the destination’s DLQ with the reason, and `redrive relay:<name>` sends it again', async () => {
    // Prepare
    crmAnswer = 400;
    const before = crm.received.length;
    await postSigned(stack.url, JSON.stringify(messages), APP_SECRET);
    const dlq = stack.relay.queues['relay:crm']?.dlq;
    await until('the DLQ entry', () => (dlq?.peek().length ?? 0) === 1);
    const [parked] = dlq?.peek() ?? [];
    expect(parked?.attributes).toMatchObject({ reason: 'HTTP 400', queue: 'relay:crm', attempts: '1' });
    expect(JSON.stringify(parked)).not.toContain('never log');
    crmAnswer = 200;
    // Act
    const result = await redriveLocal(stack.url, 'relay:crm');
    await until('the redriven copy', () => crm.received.length === before + 2);
    // Assess
    expect(result).toEqual({ queue: 'relay:crm', moved: 1, status: 'COMPLETED' });
    expect(crm.received.at(-1)?.verifiedBy).toBe('crm');
  });

  it('replays a window from the archive to one destination, signed as before', async () => {
    // Prepare
    const from = Math.floor(Date.now() / 1000) - 3_600;
    const to = Math.floor(Date.now() / 1000) + 60;
    const before = mirror.received.length;
    const originals = mirror.received.map((copy) => copy.headers['x-hub-signature-256']);
    // Act
    const response = await fetch(`${stack.url}/v1/relay/mirror/replay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from, to }),
    });
    const answer = (await response.json()) as { deliveries: number; complete: boolean };
    await until('the replayed copies', () => mirror.received.length === before + answer.deliveries);
    // Assess: every delivery the mirror took is queued again, with the very signature Meta's had.
    expect(response.status).toBe(200);
    expect(answer).toMatchObject({ deliveries: before, complete: true });
    const replayed = mirror.received.slice(before).map((copy) => copy.headers['x-hub-signature-256']);
    expect(replayed.sort()).toEqual(originals.sort());
    expect(mirror.received.slice(before).every((copy) => copy.verifiedBy === 'meta')).toBe(true);
  });

  it('relays nothing when the pipeline’s own replay (POST /v1/replay) puts deliveries back', async () => {
    // Prepare
    const before = [mirror, crm].map((receiver) => receiver.received.length);
    const now = Math.floor(Date.now() / 1000);
    // Act
    const response = await fetch(`${stack.url}/v1/replay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: now - 3_600, to: now + 60 }),
    });
    // Assess
    expect(response.status).toBe(200);
    expect(((await response.json()) as { deliveries: number }).deliveries).toBeGreaterThan(0);
    for (const name of ['relay:mirror', 'relay:crm'])
      expect(stack.relay.queues[name]?.size()).toEqual({ visible: 0, inFlight: 0 });
    expect([mirror, crm].map((receiver) => receiver.received.length)).toEqual(before);
  });

  it('never holds more requests to a destination than its concurrency', async () => {
    // Prepare: forty deliveries at once (four batches' worth), for a destination of concurrency 2.
    const template = (index: number) =>
      JSON.stringify({
        object: 'whatsapp_business_account',
        entry: [
          {
            id: '102290129340398',
            time: 1_718_143_652 + index,
            changes: [
              {
                field: 'message_template_status_update',
                value: { event: 'APPROVED', message_template_id: index, message_template_name: 'welcome' },
              },
            ],
          },
        ],
      });
    // Act
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, index) => postSigned(stack.url, template(index), APP_SECRET)),
    );
    await until('every copy', () => bounded.received.length === 40);
    // Assess
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    expect(inFlight.most).toBeGreaterThan(0);
    expect(inFlight.most).toBeLessThanOrEqual(2);
    expect(bounded.received.every((copy) => copy.verifiedBy === 'meta')).toBe(true);
  });

  it('answers 400 for a name that is not a destination and for a bad window', async () => {
    const post = (name: string, body: unknown) =>
      fetch(`${stack.url}/v1/relay/${name}/replay`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const unknown = await post('nobody', { from: 0, to: 1 });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { message: string }).message).toBe(
      'name must be a relay destination: mirror, crm, slow, bounded',
    );
    expect((await post('crm', { from: 5, to: 1 })).status).toBe(400);
    expect((await post('crm', { from: 'a', to: 1 })).status).toBe(400);
  });
});
