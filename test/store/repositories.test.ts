import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applySolutionEvent,
  type SolutionEvent,
  solutionKey,
} from '../../shared/domains/solutions/solution.js';
import { applyThreadEvent, type ThreadEvent, threadKey } from '../../shared/domains/threads/thread.js';
import { applyWabaEvent, type WabaEvent, wabaKey } from '../../shared/domains/wabas/waba.js';
import type { Item, WriteOutcome } from '../../shared/kernel/registers.js';
import { logWithRedelivery, solutionEvent, threadEvent, wabaEvent } from '../support/arbitraries.js';
import { countRequests, useLocalTables } from '../support/dynamo.js';
import { fold, withoutKeys } from '../support/envelopes.js';
import { sized } from '../support/sizes.js';

const tables = useLocalTables(() => 5_000);
/** 25 redeliveries of each aggregate through dynalite in `npm test`; 300 in `npm run test:soak`, or STORE_RUNS. */
const RUNS = { numRuns: sized('STORE_RUNS', { fast: 25, soak: 300 }), seed: 20261122 };
let run = 0;

/** Applies a redelivery through the repository, one event at a time, and reads the stored item back. */
const storeAll = async <E>(
  events: readonly E[],
  apply: (event: E) => Promise<WriteOutcome>,
  read: () => Promise<Item | undefined>,
) => {
  for (const event of events) await apply(event);
  return read();
};

describe('repositories on dynalite', () => {
  it('solutions: a shuffled redelivery with duplicates stores the same item as memory', async () => {
    await fc.assert(
      fc.asyncProperty(logWithRedelivery(solutionEvent('placeholder')), async ({ log, redelivery }) => {
        const id = `sol-${run++}`;
        const rekey = (event: SolutionEvent) => ({ ...event, solutionId: id });
        const stored = await storeAll(
          redelivery.map(rekey),
          (event) => tables.solutions.apply(event),
          () => tables.solutions.table.get(solutionKey(id)),
        );
        expect(stored).toEqual(fold(log.map(rekey), applySolutionEvent));
      }),
      RUNS,
    );
  });

  it('WABAs: the same, apart from discoveredBy which records arrival order', async () => {
    await fc.assert(
      fc.asyncProperty(logWithRedelivery(wabaEvent('placeholder')), async ({ log, redelivery }) => {
        const id = `waba-${run++}`;
        const rekey = (event: WabaEvent) => ({ ...event, wabaId: id });
        const stored = await storeAll(
          redelivery.map(rekey),
          (event) => tables.wabas.apply(event),
          () => tables.wabas.table.get(wabaKey(id)),
        );
        expect(stored).toEqual(fold(redelivery.map(rekey), applyWabaEvent));
        expect(withoutKeys(stored, 'discoveredBy')).toEqual(
          withoutKeys(fold(log.map(rekey), applyWabaEvent), 'discoveredBy'),
        );
      }),
      RUNS,
    );
  });

  it('threads: the same', async () => {
    await fc.assert(
      fc.asyncProperty(logWithRedelivery(threadEvent('page', 'placeholder')), async ({ log, redelivery }) => {
        const userId = `user-${run++}`;
        const rekey = (event: ThreadEvent) => ({ ...event, userId });
        const stored = await storeAll(
          redelivery.map(rekey),
          (event) => tables.threads.apply(event),
          () => tables.threads.table.get(threadKey('page', userId)),
        );
        expect(stored).toEqual(fold(log.map(rekey), applyThreadEvent));
      }),
      RUNS,
    );
  });

  it('costs exactly one request per event, no reads, and a stale or duplicate event is success', async () => {
    // Prepare
    const counter = countRequests(tables.dynamo.client);
    const base: SolutionEvent = {
      solutionId: 'counted',
      status: 'ACTIVE',
      event: 'SOLUTION_UPDATED',
      businessId: 'b',
      timeMs: 2_000_000,
      eventId: 'e2',
      source: 'webhook',
    };
    const events = [
      base,
      { ...base, eventId: 'e1', timeMs: 1_000_000 },
      base,
      { ...base, status: 'PENDING_DEACTIVATION', eventId: 'e3', timeMs: 3_000_000 },
    ];
    counter.reset();
    // Act
    const outcomes = [];
    for (const event of events) outcomes.push(await tables.solutions.apply(event));
    // Assess
    expect(outcomes[0]).toBe('applied');
    expect(outcomes[1]).not.toBe('applied');
    expect(outcomes[2]).not.toBe('applied');
    expect(outcomes[3]).toBe('applied');
    expect(counter.total).toBe(events.length);
    expect([...counter.byCommand.keys()]).toEqual(['UpdateItemCommand']);
  });

  it('lists a solution\u2019s WABAs from both indexes, page by page', async () => {
    // Prepare: three added via webhook, two only seen by reconciliation, one added to another solution.
    const add = (wabaId: string, solutionId: string): WabaEvent => ({
      type: 'change',
      wabaId,
      event: 'PARTNER_ADDED',
      timeMs: 1_000_000,
      eventId: `add-${wabaId}`,
      receivedBy: 'b',
      wabaInfo: { ownerBusinessId: 'o', solutionId, partnerBusinessIds: [] },
      details: {},
    });
    const seen = (wabaId: string, solutionId: string): WabaEvent => ({
      type: 'observation',
      wabaId,
      timeMs: 2_000_000,
      eventId: `seen-${wabaId}`,
      name: wabaId,
      timezoneId: null,
      businessType: null,
      messageTemplateNamespace: null,
      partnerBusinessId: null,
      solutionIds: [solutionId],
    });
    for (const event of [
      add('71001', '73000'),
      add('71002', '73000'),
      add('71003', '73000'),
      seen('71004', '73000'),
      seen('71005', '73000'),
      add('72001', '73001'),
      seen('72001', '73000'),
    ]) {
      await tables.wabas.apply(event);
    }
    // Act
    const ids: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await tables.wabas.listBySolution('73000', 2, cursor);
      ids.push(...page.items.map((waba) => waba.wabaId));
      cursor = page.nextCursor ?? undefined;
      pages += 1;
    } while (cursor !== undefined && pages < 10);
    // Assess: x1's add names another solution, so reconciliation's reading does not list it here.
    expect(ids.sort()).toEqual(['71001', '71002', '71003', '71004', '71005']);
  });
});
