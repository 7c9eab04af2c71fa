import fc from 'fast-check';
import { SOLUTION_STATUSES, type SolutionEvent } from '../../shared/domains/solutions/solution.js';
import type { ThreadEvent } from '../../shared/domains/threads/thread.js';
import type { WabaEvent } from '../../shared/domains/wabas/waba.js';
import { eventIdOf } from '../../shared/kernel/event-id.js';

/** A narrow time range so that same-instant ties are common. */
const seconds = fc.integer({ min: 1_700_000_000, max: 1_700_000_006 });
const withId = <T extends object>(event: T): T & { eventId: string } => ({
  ...event,
  eventId: eventIdOf(event),
});

export const solutionEvent = (solutionId: string): fc.Arbitrary<SolutionEvent> =>
  fc
    .record({
      status: fc.constantFrom(...SOLUTION_STATUSES, 'SOMETHING_NEW'),
      time: seconds,
      event: fc.constantFrom('SOLUTION_CREATED', 'SOLUTION_UPDATED'),
      source: fc.constantFrom('webhook', 'webhook', 'action', 'reconciliation') as fc.Arbitrary<
        SolutionEvent['source']
      >,
      businessId: fc.constantFrom('506914307656634', '116133292427920'),
      name: fc.option(fc.constantFrom('A', 'B'), { nil: undefined }),
    })
    .map(({ time, ...rest }) => withId({ solutionId, timeMs: time * 1000, ...rest }));

export const wabaEvent = (wabaId: string): fc.Arbitrary<WabaEvent> => {
  const change = fc
    .record({
      event: fc.constantFrom(
        'PARTNER_ADDED',
        'PARTNER_APP_INSTALLED',
        'PARTNER_REMOVED',
        'PARTNER_APP_UNINSTALLED',
        'ACCOUNT_DELETED',
        'ACCOUNT_OFFBOARDED',
        'ACCOUNT_RECONNECTED',
        'ACCOUNT_VIOLATION',
      ),
      time: seconds,
      solutionId: fc.constantFrom('s1', 's2'),
      withInfo: fc.boolean(),
    })
    .map(({ event, time, solutionId, withInfo }) =>
      withId({
        type: 'change' as const,
        wabaId,
        event,
        timeMs: time * 1000,
        receivedBy: withInfo ? '506914307656634' : null,
        wabaInfo: withInfo ? { ownerBusinessId: 'o1', solutionId, partnerBusinessIds: ['p1', 'p2'] } : null,
        details: {},
      }),
    );
  const observation = fc
    .record({
      time: seconds,
      name: fc.constantFrom('Cool New Customer 1', 'Renamed'),
      solution: fc.constantFrom('s1', 's2'),
    })
    .map(({ time, name, solution }) =>
      withId({
        type: 'observation' as const,
        wabaId,
        timeMs: time * 1000,
        name,
        timezoneId: '7',
        businessType: 'ent',
        messageTemplateNamespace: 'ns',
        partnerBusinessId: 'p2',
        solutionIds: [solution],
      }),
    );
  return fc.oneof({ weight: 4, arbitrary: change }, { weight: 1, arbitrary: observation });
};

export const threadEvent = (pageId: string, userId: string): fc.Arbitrary<ThreadEvent> => {
  const app = fc.constantFrom('A', 'B', '263902037430900');
  const base = fc.record({
    timeMs: fc.integer({ min: 1_000, max: 1_005 }),
    metadata: fc.option(fc.constantFrom('m1', 'm2'), { nil: null }),
    source: fc.constantFrom('webhook', 'action') as fc.Arbitrary<'webhook' | 'action'>,
  });
  const expiry = fc.option(fc.integer({ min: 1_000, max: 9_000 }), { nil: null });
  return fc
    .tuple(base, fc.integer({ min: 0, max: 6 }), app, app, expiry)
    .map(([common, choice, a, b, expiresAt]): ThreadEvent => {
      const shared = { pageId, userId, ...common };
      switch (choice) {
        case 0:
          return withId({
            kind: 'pass',
            ...shared,
            previousOwnerAppId: a,
            newOwnerAppId: b,
            expiresAt: null,
          });
        case 1:
          return withId({ kind: 'take', ...shared, previousOwnerAppId: a, newOwnerAppId: b, expiresAt });
        case 2:
          return withId({
            kind: 'release',
            ...shared,
            previousOwnerAppId: a,
            newOwnerAppId: null,
            expiresAt: null,
          });
        case 3:
          return withId({ kind: 'observed', ...shared, ownerAppId: a, expiresAt });
        case 4:
          return withId({ kind: 'extend', ...shared, expiresAt: expiresAt ?? 9_999 });
        case 5:
          return withId({ kind: 'request', ...shared, requestedOwnerAppId: a });
        default:
          return withId({ kind: 'metadata', ...shared, callerAppId: a });
      }
    });
};

/**
 * A log and a redelivery of it: every event at least once, some several times, in another order.
 * The redelivery is the log plus duplicates, shuffled by generated sort keys.
 */
export const logWithRedelivery = <E>(event: fc.Arbitrary<E>, maxLength = 12) =>
  fc.array(event, { minLength: 1, maxLength }).chain((log) =>
    fc
      .tuple(
        fc.array(fc.nat({ max: log.length - 1 }), { maxLength: log.length }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), {
          minLength: log.length * 2,
          maxLength: log.length * 2,
        }),
      )
      .map(([duplicates, keys]) => {
        const delivered = [...log, ...duplicates.map((index) => log[index] as E)];
        const order = delivered.map((value, index) => ({ value, key: keys[index] ?? 0 }));
        order.sort((a, b) => a.key - b.key);
        return { log, redelivery: order.map(({ value }) => value) };
      }),
  );
