import { describe, expect, it } from 'vitest';
import { inboundMessage, messagesDelivery, ROUTING_EXAMPLE } from '../../fixtures/whatsapp-routing.js';
import { MAX_CHANGES_PER_DELIVERY } from '../../shared/app/intake/split.js';
import { composeWebhook } from '../../shared/app/roots/webhook.js';
import { MAX_WEBHOOK_BODY_BYTES } from '../../shared/app/webhook/handle-webhook.js';
import { whatsappThreadsConsumer } from '../../shared/domains/whatsapp-threads/consumer.js';
import { applyRegisterWrite, type Item, type RegisterWrite } from '../../shared/kernel/registers.js';
import { SQS_MAX_MESSAGE_BYTES } from '../../shared/platform/config/constants.js';
import { signBody } from '../../shared/platform/http/signature.js';
import type { HttpResult } from '../../shared/platform/http/types.js';
import { Telemetry } from '../../shared/platform/observability/telemetry.js';
import type { ChangeEnvelope } from '../../shared/platform/queue/envelope.js';
import type { MessageSink } from '../../shared/platform/queue/ports.js';
import { envSecretSource } from '../../shared/platform/secrets/meta-secrets.js';
import { context, httpEvent } from '../support/lambda.js';

/**
 * The busiest field a partner receives: `messages`. The webhook's bounds (4 MiB bodies, 5,000 changes, SQS's 1 MiB
 * per message, ⌈n/10⌉ sends per queue) hold for Meta's largest batch, 1,000 updates, whether Meta puts them in one
 * change or in 1,000; ownership costs at most one conditional write per message, no read, and one per user when
 * Meta batches a user's messages in one change.
 */
const SECRET = 'whatsapp-secret';
const QUEUE = 'whatsapp-threads';

const recording = () => {
  const sent: { queue: string; body: string }[] = [];
  let calls = 0;
  const sink: MessageSink = {
    sendBatch: async (queue, entries) => {
      calls += 1;
      for (const entry of entries) sent.push({ queue, body: entry.body });
      return { failed: [] };
    },
  };
  return { sink, sent, calls: () => calls };
};

const post = async (delivery: unknown) => {
  const { sink, sent, calls } = recording();
  const webhook = composeWebhook({
    sink,
    claims: {
      put: async () => {
        throw new Error('no claim check expected');
      },
    },
    secrets: envSecretSource({ META_APP_SECRET: SECRET, META_VERIFY_TOKEN: 'v' }),
    archive: { keep: async () => undefined },
    telemetry: new Telemetry('webhook'),
  });
  const body = JSON.stringify(delivery);
  const answer = (await webhook(
    httpEvent({
      method: 'POST',
      path: '/webhook',
      body,
      headers: { 'x-hub-signature-256': signBody(body, SECRET), 'content-type': 'application/json' },
    }),
    context('webhook'),
  )) as HttpResult;
  return { answer, sent, calls: calls(), bytes: Buffer.byteLength(body) };
};

/** The consumer over a table that counts its requests (writes only: it has no read). */
const consume = async (bodies: readonly string[]) => {
  const items = new Map<string, Item>();
  let writes = 0;
  const table = {
    write: async (key: Item, write: RegisterWrite) => {
      writes += 1;
      const id = JSON.stringify(key);
      const { item, outcome } = applyRegisterWrite(items.get(id), key, write);
      items.set(id, item);
      return outcome;
    },
  };
  const spec = whatsappThreadsConsumer({
    table,
    telemetry: new Telemetry(QUEUE),
    env: {},
    jobs: { has: () => false, send: async () => undefined },
  });
  for (const body of bodies) await spec.apply(spec.decode(JSON.parse(body) as ChangeEnvelope));
  return { writes, items };
};

const users = (count: number) => Array.from({ length: count }, (_, index) => String(16_505_550_000 + index));

describe('a delivery of 1,000 messages', () => {
  it('in one change of one user: 1 domain message, projected (no content), 1 write', async () => {
    const delivery = messagesDelivery(
      Array.from({ length: 1_000 }, (_, index) => inboundMessage(`wamid.one.${index}`, index)),
    );
    const { answer, sent, calls, bytes } = await post(delivery);
    expect(answer.statusCode).toBe(200);
    expect(bytes).toBeLessThan(MAX_WEBHOOK_BODY_BYTES);
    const domain = sent.filter((message) => message.queue === QUEUE);
    expect(domain).toHaveLength(1);
    expect(sent.filter((message) => message.queue === 'passthrough')).toHaveLength(1);
    expect(calls).toBe(2);
    const projected = domain[0]?.body ?? '';
    expect(Buffer.byteLength(projected)).toBeLessThan(SQS_MAX_MESSAGE_BYTES);
    expect(projected).not.toContain('another color');
    expect(projected).not.toContain('Sheena');
    const { writes, items } = await consume(domain.map((message) => message.body));
    expect(writes).toBe(1);
    expect([...items.values()][0]).toMatchObject({ r_msg: { messageId: 'wamid.one.999' } });
  });

  it('in one change of 1,000 users: one write per user, never more than one per message', async () => {
    const delivery = messagesDelivery(
      users(1_000).map((user, index) => inboundMessage(`wamid.many.${index}`, 0, user)),
    );
    const { answer, sent } = await post(delivery);
    expect(answer.statusCode).toBe(200);
    const { writes, items } = await consume(sent.filter((m) => m.queue === QUEUE).map((m) => m.body));
    expect(writes).toBe(1_000);
    expect(items.size).toBe(1_000);
  });

  it('in 1,000 changes: 2,000 messages in ⌈1000/10⌉ sends per queue, 1,000 writes', async () => {
    const delivery = {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: ROUTING_EXAMPLE.wabaId,
          changes: users(1_000).map((user, index) => ({
            field: 'messages',
            value: messagesDelivery([inboundMessage(`wamid.split.${index}`, 0, user)]).entry[0]?.changes[0]
              ?.value,
          })),
        },
      ],
    };
    const { answer, sent, calls, bytes } = await post(delivery);
    expect(answer.statusCode).toBe(200);
    expect(bytes).toBeLessThan(MAX_WEBHOOK_BODY_BYTES);
    expect(delivery.entry[0]?.changes.length).toBeLessThan(MAX_CHANGES_PER_DELIVERY);
    expect(sent.filter((message) => message.queue === QUEUE)).toHaveLength(1_000);
    expect(sent.filter((message) => message.queue === 'passthrough')).toHaveLength(1_000);
    expect(calls).toBe(200);
    const { writes } = await consume(sent.filter((m) => m.queue === QUEUE).map((m) => m.body));
    expect(writes).toBe(1_000);
  });
});
