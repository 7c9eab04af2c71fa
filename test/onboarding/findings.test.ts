import { beforeEach, describe, expect, it } from 'vitest';
import { EXAMPLE } from '../../fixtures/deliveries.js';
import { deliver, readJson, sample } from '../support/corpus.js';
import { useFakeGraph } from '../support/fake-graph.js';
import { useLocalStackWithGraph } from '../support/local-stack.js';
import { body, clearAll, ONBOARDING_ENV, partnerAdded, scriptSuccess, wabaOf } from './harness.js';

/**
 * The four findings of issue 25, each on the public sample that shows it (fixtures/public/onboarding and
 * account-update), through local mode.
 */
const graph = useFakeGraph();
const local = useLocalStackWithGraph(graph, ONBOARDING_ENV);

beforeEach(async () => {
  await clearAll(local.stack);
  scriptSuccess(graph);
});

describe('1. GET /<SOLUTION_ID>/access_token answered flat', () => {
  const flat = sample('onboarding/solution-access-token-flat');

  it('is stored from a PARTNER_ADDED and from a business-token job queued before onboarding, nothing dead-lettered', async () => {
    // Prepare
    graph.on(`GET /${EXAMPLE.solutionId}/access_token`, { body: flat.body });
    const legacyBusiness = '99887766554433';
    // Act
    await partnerAdded(local.stack);
    local.stack.businessTokenQueue.send(
      JSON.stringify({
        v: 1,
        wabaId: EXAMPLE.wabaId,
        solutionId: EXAMPLE.solutionId,
        businessId: legacyBusiness,
      }),
    );
    await local.stack.drain();
    // Assess
    for (const business of [EXAMPLE.customerBusinessId, legacyBusiness]) {
      const stored = await local.stack.secretStore.get(`switchboard/business-tokens/${business}`);
      expect(JSON.parse(stored ?? '{}').accessToken).toBe(flat.expect.accessToken);
    }
    expect(local.stack.businessTokenQueue.dlq?.bodies()).toEqual([]);
  });

  it('an answer without any token fails the step with what Meta answered: no retry loop, no dead letter', async () => {
    graph.on(`GET /${EXAMPLE.solutionId}/access_token`, { body: { data: [] } });
    await partnerAdded(local.stack);
    const waba = await wabaOf(local.stack);
    expect(waba.onboarding).toMatchObject({
      steps: { businessToken: { state: 'failed', message: expect.stringContaining('without a token') } },
    });
    expect(local.stack.businessTokenQueue.dlq?.bodies()).toEqual([]);
  });
});

describe('2. PARTNER_APP_INSTALLED of our app', () => {
  const ours = sample('onboarding/account-update-partner-app-installed-our-app');

  it('is an onboarding: onboardedAt set, listed under its solution, its onboarding started', async () => {
    // Act
    await deliver(local.stack, ours.body);
    // Assess
    const waba = await wabaOf(local.stack, String(ours.expect.wabaId));
    expect(waba).toMatchObject({ onboardedAt: 1745337174, solutionId: ours.expect.solutionId, active: true });
    const listed = await readJson(local.stack, `/v1/wabas?solutionId=${String(ours.expect.solutionId)}`);
    expect((listed.body.items as { wabaId: string }[]).map((item) => item.wabaId)).toEqual([
      ours.expect.wabaId,
    ]);
    // onboardingMayStart: the onboarding ran (against a Graph stand-in that knows nothing of this WABA).
    expect(ours.expect.onboardingMayStart).toBe(true);
    expect(waba.onboarding).toMatchObject({ trigger: 'PARTNER_APP_INSTALLED' });
  });

  it('beside another partner app\u2019s install of the same WABA, both apps are recorded and ours decides', async () => {
    await deliver(local.stack, sample('account-update/partner-app-installed').body);
    const before = await wabaOf(local.stack, String(ours.expect.wabaId));
    await deliver(local.stack, ours.body);
    const after = await wabaOf(local.stack, String(ours.expect.wabaId));
    expect(before).toMatchObject({ active: false, onboardedAt: null });
    expect(Object.keys(after.apps as object).sort()).toEqual(['21202248997039', '5731794616896507']);
    expect(after).toMatchObject({ active: true, onboardedAt: 1745337174 });
  });
});

describe('3. a WABA never onboarded with us', () => {
  it('known only from another app\u2019s uninstall or a fact reads inactive (reason null) until an onboarding', async () => {
    const uninstall = sample('account-update/partner-app-uninstalled');
    const fact = sample('account-update/account-violation');
    await deliver(local.stack, uninstall.body);
    await deliver(local.stack, fact.body);
    for (const each of [uninstall, fact]) {
      const waba = await wabaOf(local.stack, String(each.expect.wabaId));
      expect(waba, each.file).toMatchObject({ active: false, inactiveReason: null });
    }
    await partnerAdded(local.stack, 0, String(fact.expect.wabaId));
    expect(await wabaOf(local.stack, String(fact.expect.wabaId))).toMatchObject({ active: true });
  });
});

describe('4. DISABLED_UPDATE with SCHEDULE_FOR_DISABLE', () => {
  it('is scheduled, not banned: the date is kept as Meta wrote it; DISABLE bans, REINSTATE lifts', async () => {
    const scheduled = sample('onboarding/account-update-disabled-update-schedule-for-disable');
    await partnerAdded(local.stack);
    await deliver(local.stack, scheduled.body);
    const read = await wabaOf(local.stack);
    expect(read).toMatchObject({
      active: true,
      banned: false,
      ban: { state: 'SCHEDULE_FOR_DISABLE', date: 'April 17, 2025', scheduled: true },
    });

    const disable = structuredClone(scheduled.body) as {
      entry: { time: number; changes: { value: { ban_info: { waba_ban_state: string } } }[] }[];
    };
    const entry = disable.entry[0];
    if (entry !== undefined) {
      entry.time += 60;
      const change = entry.changes[0];
      if (change !== undefined) change.value.ban_info.waba_ban_state = 'DISABLE';
    }
    await deliver(local.stack, disable);
    expect(await wabaOf(local.stack)).toMatchObject({ banned: true, ban: { scheduled: false } });
    await deliver(local.stack, sample('account-update/disabled-update-reinstate').body);
    expect(await wabaOf(local.stack)).toMatchObject({ banned: false });
  });
});

describe('the answers of the alternate credit method read like share-and-attach\u2019s', () => {
  it.each(['credit-attach-answer', 'credit-sharing-alternate-share', 'credit-sharing-and-attach'])(
    '%s',
    async (file) => {
      const { allocationConfigIdOf } = await import('../../shared/domains/onboarding/graph-reads.js');
      const each = sample(`onboarding/${file}`);
      expect(allocationConfigIdOf(body(file).body)).toBe(each.expect.allocationConfigId);
    },
  );
});
