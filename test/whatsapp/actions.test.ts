import { beforeEach, describe, expect, it } from 'vitest';
import { FIXTURES } from '../../fixtures/deliveries.js';
import { inboundMessage, messagesDelivery } from '../../fixtures/whatsapp-routing.js';
import { clearTables, deliver, readJson } from '../support/corpus.js';
import { useFakeGraph } from '../support/fake-graph.js';
import { useLocalStack, useLocalStackWithGraph } from '../support/local-stack.js';

/**
 * pass, take and release through the API: what goes to Meta (`POST /{phone_number_id}/thread_control`), what is
 * recorded from Meta's answers, and the rules the Messenger actions follow (a lease per thread, Idempotency-Key),
 * plus what Meta's lack of an owner read changes: an unconfirmed call is recorded as unknown, answered 504, and
 * never sent again for the same request.
 */
const graph = useFakeGraph();
const local = useLocalStackWithGraph(graph);
const PHONE_NUMBER = '106540352242922';
const USER = '16505551234';
const BSUID = 'US.13491208655302741918';
const CONTROL = `POST /${PHONE_NUMBER}/thread_control`;
const OK = { body: { messaging_product: 'whatsapp' } };

beforeEach(() => clearTables(local.stack));

const post = (user: string, action: string, body: unknown = {}, headers: Record<string, string> = {}) =>
  readJson(local.stack, `/v1/whatsapp/threads/${PHONE_NUMBER}/${encodeURIComponent(user)}/${action}`, {
    method: 'POST',
    body: JSON.stringify(body),
    headers,
  });
const read = (user: string) => readJson(local.stack, `/v1/whatsapp/threads/${PHONE_NUMBER}/${user}`);
const sentBodies = () => graph.calls(CONTROL).map((request) => JSON.parse(request.body) as unknown);

describe('what goes to Meta', () => {
  it('pass, take and release send thread_control JSON: to for a phone number, recipient for a BSUID', async () => {
    graph.on(CONTROL, OK);
    expect((await post(USER, 'pass', { metadata: 'VIP', targetRole: 'ai_agent' })).status).toBe(200);
    expect((await post(BSUID, 'take')).status).toBe(200);
    expect((await post(BSUID, 'release', { metadata: 'done' })).status).toBe(200);
    expect(sentBodies()).toEqual([
      {
        messaging_product: 'whatsapp',
        to: USER,
        action: 'pass',
        metadata: 'VIP',
        control_pass: { target_role: 'ai_agent' },
      },
      { messaging_product: 'whatsapp', recipient: BSUID, action: 'take' },
      { messaging_product: 'whatsapp', recipient: BSUID, action: 'release', metadata: 'done' },
    ]);
    expect(graph.calls(CONTROL)[0]?.authorization).toBe('Bearer stand-in-system-user-token');
  });

  it('records each answer: pass to the escalation partner by default, take ours, release idle', async () => {
    graph.on(CONTROL, OK);
    const passed = await post(USER, 'pass');
    expect(passed.body).toMatchObject({
      owner: 'escalation',
      lastHandover: { type: 'pass', newOwnerRole: 'escalation' },
    });
    expect(sentBodies()[0]).not.toHaveProperty('control_pass');
    expect((await post(USER, 'take', { metadata: 'mine' })).body).toMatchObject({
      owner: 'us',
      metadata: 'mine',
    });
    expect((await post(USER, 'release')).body).toMatchObject({ owner: null, expiresAt: null });
  });

  it('refuses what is not a thread or an action body with 400 before calling Meta', async () => {
    const refusals = [
      await post('a.b/c', 'take'),
      await post('%20', 'take'),
      await post('x'.repeat(257), 'take'),
      await post('#page', 'take'),
      await post(USER, 'pass', { targetRole: 'customer_service' }),
      await post(USER, 'pass', { metadata: 'x'.repeat(2_001) }),
      await post(USER, 'take', { targetRole: 'ai_agent' }),
      await readJson(local.stack, `/v1/whatsapp/threads/not-an-id/${USER}/take`, { method: 'POST' }),
    ];
    expect(refusals.map((answer) => answer.status)).toEqual(Array(refusals.length).fill(400));
    expect(graph.requests).toEqual([]);
  });

  it('409 without calling Meta for what the recorded facts rule out', async () => {
    await deliver(local.stack, FIXTURES['wa-message']?.body);
    expect((await post(USER, 'take')).body).toMatchObject({ error: 'conflict', owner: 'us' });
    await deliver(local.stack, FIXTURES['wa-control-taken']?.body);
    expect((await post(USER, 'release')).body).toMatchObject({ error: 'conflict', owner: 'escalation' });
    expect(graph.requests).toEqual([]);
  });
});

describe('Meta did not answer: recorded as unknown, 504, never sent again', () => {
  it.each([
    ['a 5xx', { status: 500, body: { error: { message: 'An unknown error occurred', code: 1 } } }],
    ['a connection reset', { reset: true }],
  ])(
    '%s: owner reads null, the same Idempotency-Key replays the 504 without a second call',
    async (_how, reply) => {
      await deliver(local.stack, FIXTURES['wa-message']?.body);
      graph.on(CONTROL, reply, OK);
      const headers = { 'idempotency-key': `unknown-${String(_how).replace(/\W+/g, '-')}` };

      const first = await post(USER, 'release', {}, headers);
      const again = await post(USER, 'release', {}, headers);

      expect(first.status).toBe(504);
      expect(first.body).toMatchObject({ error: 'meta_outcome_unknown', action: 'release', recorded: true });
      expect(again).toEqual(first);
      expect(graph.calls(CONTROL)).toHaveLength(1);
      expect((await read(USER)).body).toMatchObject({ owner: null });
      // Meta's next word settles it: the customer's next message reaches us, so the release did not happen.
      await deliver(local.stack, messagesDelivery([inboundMessage('wamid.after.the.call', 600)]));
      expect((await read(USER)).body).toMatchObject({ owner: 'us' });
    },
  );
});

describe('one action per thread at a time, and Idempotency-Key', () => {
  it('10 concurrent takes of one thread: one Graph call, one 200, nine 409 action_in_progress', async () => {
    graph.on(CONTROL, { ...OK, delayMs: 300 });
    const answers = await Promise.all(Array.from({ length: 10 }, () => post(USER, 'take')));
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([200, ...Array(9).fill(409)]);
    expect(answers.filter((a) => a.status === 409).map((a) => a.body.error)).toEqual(
      Array(9).fill('action_in_progress'),
    );
    expect(graph.calls(CONTROL)).toHaveLength(1);
  });

  it('the same key and body replays the first answer; the same key with another body is a 422', async () => {
    graph.on(CONTROL, OK);
    const headers = { 'idempotency-key': 'pass-once' };
    const first = await post(USER, 'pass', { metadata: 'VIP' }, headers);
    const again = await post(USER, 'pass', { metadata: 'VIP' }, headers);
    const other = await post(USER, 'pass', { metadata: 'other' }, headers);
    expect(again.body).toEqual(first.body);
    expect(other.status).toBe(422);
    expect(graph.calls(CONTROL)).toHaveLength(1);
  });
});

describe('the sandbox in local mode', () => {
  const sandboxed = useLocalStack();
  const act = (phoneNumberId: string, action: string, body: unknown = {}) =>
    readJson(sandboxed.stack, `/v1/whatsapp/threads/${phoneNumberId}/${USER}/${action}`, {
      method: 'POST',
      body: JSON.stringify(body),
    });

  it('pass, take on the escalation number, release; a take elsewhere is refused with 2494191', async () => {
    await deliver(sandboxed.stack, FIXTURES['wa-message']?.body);
    expect((await act(PHONE_NUMBER, 'pass', { targetRole: 'ai_agent' })).body).toMatchObject({
      owner: 'ai_agent',
    });
    expect((await act(PHONE_NUMBER, 'take')).body).toMatchObject({ owner: 'us' });
    expect((await act(PHONE_NUMBER, 'release')).body).toMatchObject({ owner: null });
    // Only the owner may pass: released, the sandbox refuses.
    expect((await act(PHONE_NUMBER, 'pass')).status).toBe(502);
    const refused = await act('555000111222333', 'take');
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({
      error: 'not_escalation_partner',
      code: 100,
      error_subcode: 2494191,
    });
    const thread = await readJson(sandboxed.stack, `/v1/whatsapp/threads/555000111222333/${USER}`);
    expect(thread.status).toBe(404);
  });
});
