import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { onboardingEvents } from '../../shared/domains/onboarding/events.js';
import { onboardingJobFor, parseOnboardingJob } from '../../shared/domains/onboarding/jobs.js';
import {
  newOnboarding,
  nextRegister,
  ONBOARDING_REGISTER,
  ONBOARDING_STATE_ATTRIBUTE,
  type OnboardingRegister,
  onboardingWrite,
  STEPS,
  type StepRecord,
  type StepState,
  stateOf,
  withStep,
} from '../../shared/domains/onboarding/model.js';
import { projectOnboarding } from '../../shared/domains/onboarding/view.js';
import { InvalidEventError } from '../../shared/kernel/errors.js';
import { applyRegisterWrite, type Item } from '../../shared/kernel/registers.js';

const WABA = '102290129340398';
const T0 = 1_800_000_000_000;

const started = (now = T0): OnboardingRegister =>
  nextRegister(
    WABA,
    newOnboarding(undefined, { event: 'PARTNER_ADDED', timeMs: T0 - 5_000 }, now),
    undefined,
    now,
  );

const record = (state: StepState, at: number, code: number | null = null): StepRecord => ({
  state,
  at,
  code,
  message: code === null ? null : `refused ${code}`,
});

const itemOf = (register: OnboardingRegister | undefined, previous?: Item): Item | undefined =>
  register === undefined
    ? previous
    : applyRegisterWrite(previous, { wabaId: WABA }, onboardingWrite(register)).item;

describe('an onboarding register', () => {
  it('is pending until every step is done or skipped, failed as soon as one step failed', () => {
    // Prepare
    const steps = started().steps;
    // Act / Assess
    expect(stateOf(steps)).toBe('pending');
    const mixed = { ...steps, businessToken: record('done', T0), subscription: record('failed', T0, 100) };
    expect(stateOf(mixed)).toBe('failed');
    const finished = Object.fromEntries(STEPS.map((step) => [step, record('skipped', T0)])) as typeof steps;
    expect(stateOf({ ...finished, subscription: record('done', T0) })).toBe('complete');
  });

  it('owns its state as the index key, and every write is later than the last even when clocks disagree', () => {
    // Prepare
    const first = started(T0);
    // Act: a host whose clock is 10 s behind writes the next outcome.
    const second = nextRegister(
      WABA,
      withStep(first, 'businessToken', record('done', T0)),
      first,
      T0 - 10_000,
    );
    const item = itemOf(second, itemOf(first));
    // Assess
    expect(second.updatedAt).toBeGreaterThan(first.updatedAt);
    expect(second.v > first.v).toBe(true);
    expect(item?.[ONBOARDING_STATE_ATTRIBUTE]).toBe('pending');
    expect(item?.[ONBOARDING_REGISTER]).toMatchObject({ steps: { businessToken: { state: 'done' } } });
  });

  it('a new onboarding keeps what Meta keeps (the allocation, our register calls) and cancels a scheduled deletion', () => {
    // Prepare
    const previous: OnboardingRegister = {
      ...started(),
      steps: {
        ...started().steps,
        creditLine: { ...record('done', T0), allocationConfigId: '58501441721238' },
        phoneRegistration: {
          ...record('failed', T0, 133016),
          numbers: { '106540352242922': { state: 'failed', code: 133016, message: 'limit', attempts: [T0] } },
        },
      },
      tokenDeletion: {
        state: 'scheduled',
        secretName: 'switchboard/business-tokens/1',
        deleteAfter: T0 + 1,
        reason: 'PARTNER_REMOVED',
        at: T0,
      },
    };
    // Act
    const next = newOnboarding(previous, { event: 'PARTNER_ADDED', timeMs: T0 + 60_000 }, T0 + 60_000);
    // Assess
    expect(next.steps.creditLine).toMatchObject({ state: 'pending', allocationConfigId: '58501441721238' });
    expect(next.steps.phoneRegistration.numbers?.['106540352242922']).toEqual({
      state: 'pending',
      code: null,
      message: null,
      attempts: [T0],
    });
    expect(next.tokenDeletion).toMatchObject({ state: 'cancelled', deleteAfter: null });
  });
});

describe('WABA Onboarding Step Changed', () => {
  it('is one event per step outcome: a state or code that changes, never a reworded wait', () => {
    // Prepare
    const first = started();
    const before = itemOf(first);
    const tokenDone = nextRegister(
      WABA,
      withStep(first, 'businessToken', record('done', T0 + 1)),
      first,
      T0 + 1,
    );
    const reworded = nextRegister(
      WABA,
      withStep(tokenDone, 'subscription', { ...record('pending', T0), message: 'Meta did not answer' }),
      tokenDone,
      T0 + 2,
    );
    // Act
    const onStart = onboardingEvents(undefined, before);
    const onToken = onboardingEvents(before, itemOf(tokenDone, before));
    const onWait = onboardingEvents(itemOf(tokenDone, before), itemOf(reworded, itemOf(tokenDone, before)));
    // Assess
    expect(onStart.map((event) => event.detail.step)).toEqual([...STEPS]);
    expect(onToken.map((event) => event.detail)).toEqual([
      { wabaId: WABA, step: 'businessToken', state: 'done', code: null, message: null, at: T0 / 1000 },
    ]);
    expect(onToken[0]?.detailType).toBe('WABA Onboarding Step Changed');
    expect(onWait).toEqual([]);
  });

  it('derives the same events, with the same IDs, whatever the order the same writes are seen in', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray([...STEPS], { minLength: 1 }), (order) => {
        // Prepare: outcomes written in some order; the stream delivers one change twice.
        let register = started();
        let item = itemOf(register);
        const events: string[] = [];
        for (const [index, step] of order.entries()) {
          const next = nextRegister(
            WABA,
            withStep(register, step, record('done', T0 + index)),
            register,
            T0 + index,
          );
          const after = itemOf(next, item);
          // Act
          const derived = onboardingEvents(item, after);
          const again = onboardingEvents(item, after);
          // Assess
          expect(again.map((event) => event.id)).toEqual(derived.map((event) => event.id));
          events.push(...derived.map((event) => String(event.detail.step)));
          register = next;
          item = after;
        }
        expect(events).toEqual(order);
      }),
    );
  });
});

describe('the onboarding block of the read model', () => {
  it('serves each step with its state, time in seconds, Meta code and message, and the allocation', () => {
    // Prepare
    const first = started();
    const failed = nextRegister(
      WABA,
      withStep(first, 'creditLine', {
        ...record('failed', T0 + 2_000, 100),
        allocationConfigId: '58501441721238',
      }),
      first,
      T0 + 2_000,
    );
    // Act
    const view = projectOnboarding(itemOf(failed), T0 + 3_000);
    // Assess
    expect(view).toMatchObject({
      state: 'failed',
      trigger: 'PARTNER_ADDED',
      startedAt: (T0 - 5_000) / 1000,
      steps: {
        businessToken: { state: 'pending', code: null, message: null },
        creditLine: {
          state: 'failed',
          at: (T0 + 2_000) / 1000,
          code: 100,
          message: 'refused 100',
          allocationConfigId: '58501441721238',
        },
      },
      businessTokenDeletion: null,
    });
    expect(projectOnboarding({ wabaId: WABA })).toBeNull();
  });
});

describe('onboarding jobs', () => {
  const change = {
    wabaId: WABA,
    event: 'PARTNER_ADDED',
    timeMs: T0,
    ours: true,
    solutionId: '303610109049230',
    ownerBusinessId: '6143763655652543',
    partnerBusinessIds: ['506914307656634', '116133292427920'],
  };

  it('start after PARTNER_ADDED or our app install through one of our solutions, end after a deactivation', () => {
    expect(onboardingJobFor(change, '506914307656634')).toEqual({
      v: 2,
      kind: 'onboard',
      wabaId: WABA,
      event: 'PARTNER_ADDED',
      timeMs: T0,
    });
    expect(onboardingJobFor({ ...change, event: 'PARTNER_APP_INSTALLED' }, '506914307656634')?.kind).toBe(
      'onboard',
    );
    expect(
      onboardingJobFor({ ...change, event: 'PARTNER_APP_INSTALLED', ours: false }, undefined),
    ).toBeUndefined();
    expect(onboardingJobFor(change, '999')).toBeUndefined();
    expect(onboardingJobFor({ ...change, solutionId: null }, undefined)).toBeUndefined();
    for (const event of ['PARTNER_REMOVED', 'ACCOUNT_OFFBOARDED', 'ACCOUNT_DELETED'])
      expect(onboardingJobFor({ ...change, event }, '999')?.kind).toBe('offboard');
    expect(onboardingJobFor({ ...change, event: 'PARTNER_APP_UNINSTALLED' }, undefined)?.kind).toBe(
      'offboard',
    );
    expect(
      onboardingJobFor({ ...change, event: 'PARTNER_APP_UNINSTALLED', ours: false }, undefined),
    ).toBeUndefined();
  });

  it('read back what was sent; a business-token job of version 1 keeps its meaning; anything else is invalid', () => {
    const job = onboardingJobFor(change, undefined);
    expect(parseOnboardingJob(JSON.stringify(job))).toEqual(job);
    expect(parseOnboardingJob('{"v":1,"wabaId":"1","solutionId":"2","businessId":"3"}')).toBe('legacy');
    for (const body of [
      '{"bad":true}',
      '{"v":2,"kind":"onboard","wabaId":"1"}',
      '{"v":2,"kind":"x","wabaId":"1"}',
    ])
      expect(() => parseOnboardingJob(body)).toThrow(InvalidEventError);
  });
});
