import { beforeEach, describe, expect, it } from 'vitest';
import { FIXTURES } from '../../fixtures/deliveries.js';
import { wabaCommands } from '../../shared/domains/wabas/commands.js';
import { UsageError } from '../../shared/platform/domain/commands.js';
import { deliver, readJson } from '../support/corpus.js';
import { useLocalStack } from '../support/local-stack.js';
import { clearAll, partnerAdded, post, stepsOf, WABA } from './harness.js';

/**
 * `npm start` as a new user runs it: local mode against the sandbox Graph API, every onboarding step on. The
 * sandbox answers what Meta documents, refusals included (a PIN another partner set, a WABA billed in another
 * currency, one already funded), so the whole flow and its failures show locally.
 */
const local = useLocalStack({
  env: {
    BUSINESS_TOKENS_ENABLED: 'true',
    META_CREDIT_LINE_ID: '1972385232742146',
    META_CREDIT_CURRENCY: 'USD',
    PHONE_REGISTRATION_ENABLED: 'true',
    META_REGISTRATION_PIN: '123456',
    META_OVERRIDE_CALLBACK_URI: 'https://hooks.example.com/switchboard/webhook',
  },
});
const PIN_SET_BY_PARTNER = '127766554433221';
const BILLED_IN_EUR = '118453277124469';
const FUNDED_ELSEWHERE = '120399918844556';

beforeEach(() => clearAll(local.stack));

const states = async (wabaId: string) =>
  Object.fromEntries(
    Object.entries(await stepsOf(local.stack, wabaId)).map(([step, view]) => [step, view.state]),
  );

describe('local mode onboards against the sandbox Graph API', () => {
  it('trigger partner-added: every step done, one step event per outcome, the onboardings list', async () => {
    // Act
    await deliver(local.stack, FIXTURES['partner-added']?.body);

    // Assess
    expect(await states(WABA)).toEqual({
      businessToken: 'done',
      subscription: 'done',
      creditLine: 'done',
      phoneRegistration: 'done',
    });
    const steps = await stepsOf(local.stack);
    expect(steps.subscription?.overrideCallbackUri).toBe('https://hooks.example.com/switchboard/webhook');
    expect(steps.creditLine?.allocationConfigId).toMatch(/^\d+$/);
    const { items } = (await readJson(local.stack, '/local/events?after=0')).body as {
      items: { 'detail-type': string; detail: Record<string, unknown> }[];
    };
    const outcomes = items
      .filter(
        (event) =>
          event['detail-type'] === 'WABA Onboarding Step Changed' && event.detail.state !== 'pending',
      )
      .map((event) => `${String(event.detail.step)}:${String(event.detail.state)}`);
    expect(outcomes).toEqual([
      'businessToken:done',
      'subscription:done',
      'creditLine:done',
      'phoneRegistration:done',
    ]);
    const complete = await readJson(local.stack, '/v1/onboardings?state=complete');
    expect((complete.body.items as { wabaId: string }[]).map((item) => item.wabaId)).toEqual([WABA]);
  });

  it('shows Meta\u2019s refusals step by step: a PIN another partner set, a WABA billed in EUR, one funded elsewhere', async () => {
    // Act
    for (const wabaId of [PIN_SET_BY_PARTNER, BILLED_IN_EUR, FUNDED_ELSEWHERE])
      await partnerAdded(local.stack, 0, wabaId);

    // Assess
    expect((await stepsOf(local.stack, PIN_SET_BY_PARTNER)).phoneRegistration).toMatchObject({
      state: 'failed',
      code: 133005,
      message: expect.stringContaining('Two-step verification PIN incorrect.'),
    });
    expect((await stepsOf(local.stack, BILLED_IN_EUR)).creditLine).toMatchObject({
      state: 'failed',
      code: 100,
      message: expect.stringContaining('bills in EUR'),
    });
    expect((await stepsOf(local.stack, FUNDED_ELSEWHERE)).creditLine).toMatchObject({
      state: 'failed',
      code: null,
    });
    for (const wabaId of [PIN_SET_BY_PARTNER, BILLED_IN_EUR, FUNDED_ELSEWHERE])
      expect((await states(wabaId)).subscription).toBe('done');
    const failed = await readJson(local.stack, '/v1/onboardings?state=failed');
    expect((failed.body.items as unknown[]).length).toBe(3);
  });

  it('keeps to Meta\u2019s 10 registrations per 72 hours however often an operator retries', async () => {
    await partnerAdded(local.stack, 0, PIN_SET_BY_PARTNER);
    const path = `/v1/wabas/${PIN_SET_BY_PARTNER}/onboarding/phoneRegistration/retry`;
    for (let retry = 0; retry < 11; retry++) await post(local.stack, path);
    const step = (await stepsOf(local.stack, PIN_SET_BY_PARTNER)).phoneRegistration;
    expect(step).toMatchObject({ state: 'failed', code: 133016 });
    expect(
      Object.values(step?.numbers as Record<string, { attemptsLast72h: number }>)[0]?.attemptsLast72h,
    ).toBe(10);
  });
});

describe('the onboarding CLI', () => {
  it('plans retry, skip, revoke and the list; a step it does not know is a usage error', () => {
    expect(wabaCommands.plan('onboarding', 'retry', [WABA, 'creditLine'], {})).toMatchObject({
      route: 'onboarding.retry',
      parameters: { wabaId: WABA, step: 'creditLine' },
    });
    expect(wabaCommands.plan('onboardings', 'list', ['failed'], { limit: '5' })).toMatchObject({
      route: 'onboardings.list',
      query: { state: 'failed', limit: '5' },
    });
    expect(wabaCommands.plan('credit-line', 'revoke', [WABA], {})?.route).toBe('creditLine.revoke');
    expect(() => wabaCommands.plan('onboarding', 'skip', [WABA, 'coffee'], {})).toThrow(UsageError);
    expect(wabaCommands.usage.join('\n')).toContain('onboardings list <pending|failed|complete>');
  });
});
