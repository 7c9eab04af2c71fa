import { describe, expect, it } from 'vitest';
import { LocalClaimStore } from '../../local/claim-store.js';
import { localContext } from '../../local/lambda-context.js';
import { composeRelayCopies } from '../../shared/app/relay/copies.js';
import { parseRelayDestinations } from '../../shared/app/relay/destinations.js';
import { readRelayMessage, relayBody, relayBytes } from '../../shared/app/relay/message.js';
import { composeWebhook } from '../../shared/app/roots/webhook.js';
import { signBody } from '../../shared/platform/http/signature.js';
import { Telemetry } from '../../shared/platform/observability/telemetry.js';
import type { MessageSink, QueueEntry } from '../../shared/platform/queue/ports.js';
import { envSecretSource } from '../../shared/platform/secrets/meta-secrets.js';
import { httpEvent } from '../support/lambda.js';

const SECRET = 'copies-secret';
const destinations = parseRelayDestinations(
  [
    { name: 'crm', url: 'https://crm.example.com/hook', fields: ['messages'], signing: 'meta' },
    { name: 'ops', url: 'https://ops.example.com/hook', fields: ['account_update'], signing: 'own' },
  ],
  'https',
);

/** Sinks that record what they took; `relayFails` refuses the relay sends that many times. */
const sinks = (relayFails: number) => {
  const sent: { queue: string; entries: readonly QueueEntry[] }[] = [];
  let failures = relayFails;
  const domain: MessageSink = { sendBatch: async () => ({ failed: [] }) };
  const relay: MessageSink = {
    sendBatch: async (queue, entries) => {
      if (failures > 0) {
        failures -= 1;
        throw new Error('SQS unavailable: arn:aws:sqs:us-east-1:123456789012:relay-crm');
      }
      sent.push({ queue, entries });
      return { failed: [] };
    },
  };
  return { sent, domain, relay };
};

const webhookWith = (relayFails: number) => {
  const { sent, domain, relay } = sinks(relayFails);
  const claims = new LocalClaimStore();
  const handler = composeWebhook({
    secrets: envSecretSource({ META_APP_SECRET: SECRET, META_VERIFY_TOKEN: 'v' }),
    sink: domain,
    claims,
    archive: { keep: async () => undefined },
    telemetry: new Telemetry('webhook'),
    copies: composeRelayCopies({
      destinations,
      sink: relay,
      claims,
      options: { sleep: async () => undefined },
    }),
  });
  const post = (body: string) =>
    handler(
      httpEvent({
        method: 'POST',
        path: '/webhook',
        headers: { 'x-hub-signature-256': signBody(body, SECRET) },
        body,
      }),
      localContext('webhook', 29_000),
    );
  return { post, sent };
};

const delivery = (field: string) =>
  JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [{ id: '1', changes: [{ field, value: {} }] }],
  });

describe('the webhook’s relay copies', () => {
  it('queues one copy on the queue of each destination a change matches, and none for the others', async () => {
    // Prepare
    const { post, sent } = webhookWith(0);
    // Act
    const answers = [
      await post(delivery('messages')),
      await post(delivery('message_template_status_update')),
    ];
    // Assess
    expect(answers.map((answer) => answer.statusCode)).toEqual([200, 200]);
    expect(sent.map(({ queue, entries }) => [queue, entries.length])).toEqual([['relay:crm', 1]]);
  });

  it('retries a refused send, and answers 503 (so that Meta delivers again) when the queue stays down', async () => {
    // Prepare
    const flaky = webhookWith(2);
    const down = webhookWith(100);
    // Act
    const recovered = await flaky.post(delivery('messages'));
    const refused = await down.post(delivery('messages'));
    // Assess
    expect(recovered.statusCode).toBe(200);
    expect(flaky.sent).toHaveLength(1);
    expect(refused.statusCode).toBe(503);
    expect(refused.body).not.toContain('arn:aws');
    expect(JSON.parse(refused.body ?? '{}')).toMatchObject({ error: 'dependency_unavailable' });
  });

  it('carries bytes that are not UTF-8 as base64, exactly', () => {
    // Prepare: a lone continuation byte inside a JSON string.
    const bytes = Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0x80]), Buffer.from('"}')]);
    // Act
    const body = relayBody(bytes);
    // Assess
    expect(body).toEqual({ bodyBase64: bytes.toString('base64') });
    expect(relayBytes(body).equals(bytes)).toBe(true);
    expect(relayBytes(relayBody(Buffer.from('{"é":"👋"}'))).toString('utf8')).toBe('{"é":"👋"}');
  });

  it('is read back only when it is a copy with a body or a claim check', () => {
    const head = { v: 1, relay: 'crm', deliveryId: 'd', receivedAt: 1 };
    expect(readRelayMessage(JSON.stringify({ ...head, body: '{}' }))).toMatchObject({ body: '{}' });
    expect(() => readRelayMessage(JSON.stringify(head))).toThrow(/neither a body nor a claim check/);
    expect(() => readRelayMessage(JSON.stringify({ ...head, v: 2, body: '{}' }))).toThrow(/not a relay copy/);
    expect(() => readRelayMessage(JSON.stringify({ ...head, signature: 5, body: '{}' }))).toThrow();
  });
});
