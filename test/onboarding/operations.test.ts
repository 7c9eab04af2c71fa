import { beforeEach, describe, expect, it } from 'vitest';
import { FIXTURES } from '../../fixtures/deliveries.js';
import { formatWaba } from '../../shared/domains/wabas/commands.js';
import { deliver, readJson } from '../support/corpus.js';
import { useFakeGraph } from '../support/fake-graph.js';
import { useLocalStackWithGraph } from '../support/local-stack.js';
import {
  body,
  CUSTOMER,
  clearAll,
  LINE,
  ONBOARDING_ENV,
  partnerAdded,
  post,
  scriptSuccess,
  status,
  stepsOf,
  WABA,
  wabaOf,
} from './harness.js';

/**
 * What an operations team does with onboardings: list the stuck ones, retry or skip a step (Idempotency-Key),
 * revoke a credit line explicitly, and what offboarding does to the customer's business token.
 */
const graph = useFakeGraph();
const local = useLocalStackWithGraph(graph, ONBOARDING_ENV);
const OTHER_WABA = '112077945305052';
const SECRET = `switchboard/business-tokens/${CUSTOMER}`;
const DAY = 86_400_000;

beforeEach(async () => {
  await clearAll(local.stack);
  scriptSuccess(graph);
});

describe('GET /v1/onboardings?state=', () => {
  it('lists the WABAs in each state, paged like the other lists; a state it does not know is a 400', async () => {
    // Prepare: two WABAs whose credit line Meta refuses, one whose onboarding completes.
    graph.on(
      `POST /${LINE}/whatsapp_credit_sharing_and_attach`,
      status('credit-sharing-and-attach-error-100'),
    );
    graph.on(`GET /${OTHER_WABA}/subscribed_apps`, body('subscribed-apps-get-empty'));
    graph.on(`POST /${OTHER_WABA}/subscribed_apps`, body('subscribed-apps-post-success'));
    graph.on(`GET /${OTHER_WABA}`, { body: { id: OTHER_WABA } });
    graph.on(`GET /${OTHER_WABA}/phone_numbers`, { body: { data: [] } });
    await partnerAdded(local.stack);
    await partnerAdded(local.stack, 0, OTHER_WABA);

    // Act
    const first = await readJson(local.stack, '/v1/onboardings?state=failed&limit=1');
    const next = await readJson(
      local.stack,
      `/v1/onboardings?state=failed&limit=1&cursor=${String(first.body.nextCursor)}`,
    );
    const pending = await readJson(local.stack, '/v1/onboardings?state=pending');
    const wrong = await readJson(local.stack, '/v1/onboardings?state=stuck');

    // Assess: OTHER_WABA has no phone number yet, so its registration waits (pending) besides the failed credit.
    const ids = [first, next].flatMap((page) =>
      (page.body.items as { wabaId: string }[]).map((item) => item.wabaId),
    );
    expect(ids.sort()).toEqual([WABA, OTHER_WABA].sort());
    expect((first.body.items as { onboarding: { state: string } }[])[0]?.onboarding.state).toBe('failed');
    expect(pending.body.items).toEqual([]);
    expect(wrong.status).toBe(400);
    expect(await readJson(local.stack, '/v1/onboardings?state=failed&cursor=eyJ4IjoxfQ')).toMatchObject({
      status: 400,
    });
  });
});

describe('retry and skip', () => {
  it('skip takes a failed step out (complete), refuses a done one (409), and replays under its Idempotency-Key', async () => {
    graph.on(
      `POST /${LINE}/whatsapp_credit_sharing_and_attach`,
      status('credit-sharing-and-attach-error-200'),
    );
    await partnerAdded(local.stack);
    const key = { 'idempotency-key': 'skip-credit-1' };

    const skipped = await post(local.stack, `/v1/wabas/${WABA}/onboarding/creditLine/skip`, key);
    const again = await post(local.stack, `/v1/wabas/${WABA}/onboarding/creditLine/skip`, key);
    const done = await post(local.stack, `/v1/wabas/${WABA}/onboarding/subscription/skip`);
    const unknown = await post(local.stack, `/v1/wabas/${WABA}/onboarding/coffee/skip`);
    const noWaba = await post(local.stack, '/v1/wabas/999999999999/onboarding/creditLine/retry');

    expect(skipped.status, JSON.stringify(skipped.body)).toBe(200);
    expect(skipped.body.onboarding).toMatchObject({
      state: 'complete',
      steps: { creditLine: { state: 'skipped', message: 'skipped by an operator' } },
    });
    expect(again.body).toEqual(skipped.body);
    expect([done.status, unknown.status, noWaba.status]).toEqual([409, 400, 404]);
  });

  it('retry runs a failed step again and records what Meta says now; the CLI prints each step', async () => {
    graph.on(
      `POST /${WABA}/subscribed_apps`,
      { status: 400, body: { error: { message: 'nope', code: 200 } } },
      body('subscribed-apps-post-success'),
    );
    await partnerAdded(local.stack);
    expect((await stepsOf(local.stack)).subscription).toMatchObject({ state: 'failed', code: 200 });

    const retried = await post(local.stack, `/v1/wabas/${WABA}/onboarding/subscription/retry`);

    expect(retried.status, JSON.stringify(retried.body)).toBe(200);
    expect(retried.body.onboarding).toMatchObject({
      state: 'complete',
      steps: { subscription: { state: 'done' } },
    });
    const printed = formatWaba(retried.body);
    expect(printed).toContain('onboarding complete');
    expect(printed).toContain('creditLine done allocation 58501441721238');
  });
});

describe('credit line revocation: explicit only', () => {
  it('DELETE /<ALLOCATION_CONFIG_ID> as Meta documents it; the step records the revocation', async () => {
    await partnerAdded(local.stack);
    graph.on('DELETE /58501441721238', body('allocation-config-delete-success'));
    const revoked = await post(local.stack, `/v1/wabas/${WABA}/credit-line/revoke`);
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(200);
    expect((await stepsOf(local.stack)).creditLine).toMatchObject({
      state: 'skipped',
      allocationConfigId: '58501441721238',
      revokedAt: expect.any(Number),
    });
    expect(graph.calls('DELETE /58501441721238')[0]?.authorization).toBe('Bearer stand-in-system-user-token');
  });

  it('an unconfirmed DELETE is settled by request_status DELETED; Meta\u2019s refusal is a 502 that changes nothing', async () => {
    await partnerAdded(local.stack);
    graph.on('DELETE /58501441721238', {
      status: 400,
      body: { error: { message: '(#200) Permissions error', code: 200 } },
    });
    const refused = await post(local.stack, `/v1/wabas/${WABA}/credit-line/revoke`);
    expect(refused).toMatchObject({ status: 502, body: { code: 200 } });
    expect((await stepsOf(local.stack)).creditLine?.state).toBe('done');

    graph.on('DELETE /58501441721238', { reset: true });
    graph.on('GET /58501441721238', body('allocation-config-deleted-status'));
    const settled = await post(local.stack, `/v1/wabas/${WABA}/credit-line/revoke`);
    expect(settled.status, JSON.stringify(settled.body)).toBe(200);
    expect((await stepsOf(local.stack)).creditLine?.state).toBe('skipped');
  });

  it('is never automatic: offboarding revokes nothing, and without an allocation the action is a 409', async () => {
    graph.on(
      `POST /${LINE}/whatsapp_credit_sharing_and_attach`,
      status('credit-sharing-and-attach-error-100'),
    );
    await partnerAdded(local.stack);
    await deliver(local.stack, FIXTURES['partner-removed']?.body);
    expect(graph.requests.filter((request) => request.method === 'DELETE')).toEqual([]);
    expect((await post(local.stack, `/v1/wabas/${WABA}/credit-line/revoke`)).status).toBe(409);
  });
});

describe('offboarding', () => {
  it('schedules the token secret for deletion after the grace days, and a newer onboarding restores it', async () => {
    // Prepare
    await partnerAdded(local.stack);
    // Act: PARTNER_REMOVED, then the customer onboards again a day later.
    await deliver(local.stack, FIXTURES['partner-removed']?.body);
    const removed = await wabaOf(local.stack);
    const whileScheduled = await local.stack.secretStore.get(SECRET);
    // The line stays attached (Meta's samples: the allocation's credential is the WABA's funding).
    graph.on('GET /58501441721238', body('allocation-config-receiving-credential'));
    graph.on(`GET /${WABA}`, body('waba-primary-funding-id'));
    await partnerAdded(local.stack, 86_400 * 2);
    const again = await wabaOf(local.stack);
    // Assess
    expect(removed.active).toBe(false);
    const deletion = (removed.onboarding as { businessTokenDeletion: Record<string, unknown> })
      .businessTokenDeletion;
    expect(deletion).toMatchObject({ state: 'scheduled', secretName: SECRET, reason: 'PARTNER_REMOVED' });
    const scheduledFor = Number(deletion.deleteAfter) * 1000 - Date.now();
    expect(scheduledFor).toBeGreaterThan(29 * DAY);
    expect(scheduledFor).toBeLessThanOrEqual(30 * DAY);
    expect(whileScheduled).toBeUndefined();
    expect(again.active).toBe(true);
    expect(again.onboarding).toMatchObject({
      state: 'complete',
      businessTokenDeletion: { state: 'cancelled' },
    });
    expect(await local.stack.secretStore.get(SECRET)).toContain('accessToken');
    expect(graph.calls(`POST /${LINE}/whatsapp_credit_sharing_and_attach`)).toHaveLength(1);
  });

  it('keeps the token while another WABA of the same business is active', async () => {
    graph.on(`GET /${OTHER_WABA}/subscribed_apps`, body('subscribed-apps-get-empty'));
    graph.on(`POST /${OTHER_WABA}/subscribed_apps`, body('subscribed-apps-post-success'));
    graph.on(`GET /${OTHER_WABA}`, { body: { id: OTHER_WABA } });
    graph.on(`GET /${OTHER_WABA}/phone_numbers`, { body: { data: [] } });
    await partnerAdded(local.stack);
    await partnerAdded(local.stack, 0, OTHER_WABA);
    await deliver(local.stack, FIXTURES['partner-removed']?.body);
    const removed = await wabaOf(local.stack);
    expect((removed.onboarding as Record<string, unknown>).businessTokenDeletion).toMatchObject({
      state: 'kept',
      reason: `still used by active WABA ${OTHER_WABA}`,
    });
    expect(await local.stack.secretStore.get(SECRET)).toContain('accessToken');
  });
});
