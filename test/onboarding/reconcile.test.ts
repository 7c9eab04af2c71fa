import { beforeEach, describe, expect, it } from 'vitest';
import {
  newOnboarding,
  nextRegister,
  onboardingWrite,
  withStep,
} from '../../shared/domains/onboarding/model.js';
import { readJson } from '../support/corpus.js';
import { type FakeGraph, useFakeGraph } from '../support/fake-graph.js';
import { useLocalStackWithGraph } from '../support/local-stack.js';
import {
  body,
  clearAll,
  LINE,
  ONBOARDING_ENV,
  partnerAdded,
  SOLUTION,
  scriptSuccess,
  stepsOf,
  WABA,
  wabaOf,
} from './harness.js';

/**
 * Reconciliation checks and repairs onboardings: a WABA it discovers starts one, our subscription and the credit
 * allocation are verified with Meta, a missing step runs again; every count is in the sweep's summary.
 */
const graph = useFakeGraph();
const local = useLocalStackWithGraph(graph, ONBOARDING_ENV);
const BUSINESS = '506914307656634';
const DISCOVERED = '120399918844556';

const listing = (fake: FakeGraph, ids: string[]) =>
  fake.on(`GET /${BUSINESS}/client_whatsapp_business_accounts`, {
    body: { data: ids.map((id) => ({ id, name: `WABA ${id}`, timezone_id: '7' })) },
  });

const reconcile = async () => {
  const run = await readJson(local.stack, '/v1/reconcile', { method: 'POST' });
  expect(run.status, JSON.stringify(run.body)).toBe(200);
  await local.stack.drain();
  return run.body;
};

beforeEach(async () => {
  await clearAll(local.stack);
  scriptSuccess(graph);
  graph.fallback({ body: { data: [] } });
});

describe('onboarding in the reconciliation sweep', () => {
  it('finds our app unsubscribed and the line attached elsewhere: both steps run again, counted', async () => {
    // Prepare: a complete onboarding, and a first (baseline) sweep that finds it as Meta shows it.
    await partnerAdded(local.stack);
    listing(graph, [WABA]);
    graph.on(`GET /${WABA}/subscribed_apps`, {
      body: { data: [{ whatsapp_business_api_data: { id: local.stack.env.META_APP_ID } }] },
    });
    graph.on('GET /58501441721238', body('allocation-config-receiving-credential'));
    graph.on(`GET /${WABA}`, body('waba-primary-funding-id'));
    const baseline = await reconcile();
    expect(baseline).toMatchObject({ onboardingChecks: 1, onboardingStepsRestarted: 0 });
    // Meta now lists no subscription of ours, and the WABA funded by another credential.
    let readsSinceLost = 0;
    graph.on(`GET /${WABA}/subscribed_apps`, () =>
      readsSinceLost++ < 2
        ? body('subscribed-apps-get-multiple')
        : { body: { data: [{ whatsapp_business_api_data: { id: local.stack.env.META_APP_ID } }] } },
    );
    graph.on(`GET /${WABA}`, { body: { id: WABA, primary_funding_id: '7700000000000001' } });
    await clearVerified();

    // Act
    const summary = await reconcile();

    // Assess
    expect(summary).toMatchObject({ onboardingChecks: 1, onboardingStepsRestarted: 2 });
    expect(graph.calls(`POST /${WABA}/subscribed_apps`)).toHaveLength(2);
    const steps = await stepsOf(local.stack);
    expect(steps.subscription?.state).toBe('done');
    expect(steps.creditLine).toMatchObject({
      state: 'failed',
      message: expect.stringContaining('7700000000000001'),
    });
    expect(graph.calls(`POST /${LINE}/whatsapp_credit_sharing_and_attach`)).toHaveLength(1);
  });

  it('verifies a WABA at most daily: a second sweep asks Meta nothing', async () => {
    await partnerAdded(local.stack);
    listing(graph, [WABA]);
    await reconcile();
    await clearVerified();
    const first = await reconcile();
    const reads = graph.calls(`GET /${WABA}/subscribed_apps`).length;
    const second = await reconcile();
    expect([first.onboardingChecks, second.onboardingChecks]).toEqual([1, 0]);
    expect(graph.calls(`GET /${WABA}/subscribed_apps`)).toHaveLength(reads);
    expect((await wabaOf(local.stack)).onboarding).toMatchObject({ verifiedAt: expect.any(Number) });
  });

  it('starts the onboarding of a WABA it discovers after the baseline, asking Meta for its owner', async () => {
    // Prepare
    listing(graph, []);
    await reconcile();
    listing(graph, [DISCOVERED]);
    graph.on(`GET /${DISCOVERED}/solutions`, { body: { data: [{ id: SOLUTION }] } });
    graph.on(`GET /${DISCOVERED}`, {
      body: { id: DISCOVERED, owner_business_info: { id: '6143763655652543' } },
    });
    // Act
    const summary = await reconcile();
    // Assess
    expect(summary).toMatchObject({ wabasDiscovered: 1, onboardingsStarted: 1 });
    const waba = await wabaOf(local.stack, DISCOVERED);
    expect(waba.onboarding).toMatchObject({
      trigger: 'reconciliation',
      steps: { businessToken: { state: 'done' } },
    });
    expect(graph.calls(`GET /${SOLUTION}/access_token`)[0]?.query.business_id).toBe('6143763655652543');
  });

  it('counts the active WABAs whose onboarding is stuck past the configured time', async () => {
    // Prepare: one onboarding failed two hours ago, one failed just now.
    await partnerAdded(local.stack);
    const old = Date.now() - 2 * 3_600_000;
    const started = nextRegister(
      WABA,
      newOnboarding(undefined, { event: 'PARTNER_ADDED', timeMs: old }, old),
      undefined,
      old,
    );
    const failed = nextRegister(
      WABA,
      withStep(started, 'subscription', { state: 'failed', at: old, code: 100, message: 'refused' }),
      started,
      old,
    );
    await write(failed);
    listing(graph, []);
    // Act
    const summary = await reconcile();
    // Assess
    expect(summary.onboardingsStuck).toBe(1);
  });
});

/** Writes an onboarding register over the stored one (a later version), as the workflow would. */
const write = async (content: Parameters<typeof withStep>[0]) => {
  const item = await local.stack.tables.wabas?.get({ wabaId: WABA });
  const current = item?.r_onboarding as Parameters<typeof nextRegister>[2];
  await local.stack.tables.wabas?.write(
    { wabaId: WABA },
    onboardingWrite(nextRegister(WABA, content, current, Date.now())),
  );
};

/** Marks the verification as long ago, as if a day had passed. */
const clearVerified = async () => {
  const item = await local.stack.tables.wabas?.get({ wabaId: WABA });
  const register = item?.r_onboarding as Parameters<typeof nextRegister>[2];
  if (register === undefined) return;
  const { verifiedAt: _verified, ...rest } = register;
  await write(rest);
};
