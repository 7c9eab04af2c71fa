import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { whatsappThreadEvents } from '../../shared/domains/whatsapp-threads/events.js';
import { applyFact, threadKey, type WhatsappFact } from '../../shared/domains/whatsapp-threads/facts.js';
import { projectWhatsappThread } from '../../shared/domains/whatsapp-threads/view.js';
import { logWithRedelivery } from '../support/arbitraries.js';
import { countRequests, useLocalTables } from '../support/dynamo.js';
import { fold } from '../support/envelopes.js';
import { whatsappFact, whatsappInstant } from '../support/whatsapp-arbitraries.js';

/**
 * WhatsApp threads converge: any order, any number of deliveries, any interleaving of concurrent writes, the same
 * item, hence the same read model at every instant (the 24-hour idle rule included) and the same events' end state.
 */
const PHONE_NUMBER = '106540352242922';
const clock = { now: 0 };
const tables = useLocalTables(() => clock.now);

describe('WhatsApp threads converge in memory', () => {
  it('any order, any number of times: the same item and read model at any instant', () => {
    fc.assert(
      fc.property(
        logWithRedelivery(whatsappFact(PHONE_NUMBER, '16505551234'), 16),
        whatsappInstant,
        ({ log, redelivery }, now) => {
          const once = fold(log, applyFact);
          const again = fold(redelivery, applyFact);
          expect(again).toEqual(once);
          expect(projectWhatsappThread(again, now)).toEqual(projectWhatsappThread(once, now));
        },
      ),
      { numRuns: 1_000, seed: 20261207 },
    );
  });

  it('every applied write that changes the recorded owner emits one event naming the new owner', () => {
    fc.assert(
      fc.property(logWithRedelivery(whatsappFact(PHONE_NUMBER, '16505551234')), ({ redelivery }) => {
        let item: Record<string, unknown> | undefined;
        for (const fact of redelivery) {
          const { item: after, outcome } = applyFact(item, fact);
          const events = whatsappThreadEvents(item, after);
          const [old, now] = [projectWhatsappThread(item, 0), projectWhatsappThread(after, 0)];
          if (outcome !== 'applied') expect(after).toBe(item);
          if (events.length > 0) expect(events[0]?.detail.owner).toBe(now?.owner);
          if (old !== undefined && now?.owner !== old.owner) expect(events).toHaveLength(1);
          item = after;
        }
      }),
      { numRuns: 300, seed: 20261207 },
    );
  });
});

let run = 0;

/** Applies the facts through the repository in concurrent waves: writes of one wave interleave freely. */
const applyInWaves = async (facts: readonly WhatsappFact[], waves: readonly number[]) => {
  let start = 0;
  for (const size of waves) {
    if (start >= facts.length) break;
    await Promise.all(facts.slice(start, start + size).map((fact) => tables.whatsappThreads.apply(fact)));
    start += size;
  }
  for (const fact of facts.slice(start)) await tables.whatsappThreads.apply(fact);
};

describe('WhatsApp threads converge on dynalite', () => {
  it('a shuffled redelivery with duplicates, written concurrently, stores the item memory computes', async () => {
    await fc.assert(
      fc.asyncProperty(
        logWithRedelivery(whatsappFact(PHONE_NUMBER, 'placeholder')),
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 8 }),
        whatsappInstant,
        async ({ log, redelivery }, waves, now) => {
          const userId = `US.${run++}`;
          const rekey = (fact: WhatsappFact) => ({ ...fact, userId });
          await applyInWaves(redelivery.map(rekey), waves);
          const stored = await tables.whatsappThreads.table.get(threadKey(PHONE_NUMBER, userId));
          const expected = fold(log.map(rekey), applyFact);
          expect(stored).toEqual(expected);
          clock.now = now;
          expect(await tables.whatsappThreads.get(PHONE_NUMBER, userId)).toEqual(
            projectWhatsappThread(expected, now),
          );
        },
      ),
      { numRuns: 40, seed: 20261207 },
    );
  });

  it('one request per fact, no reads; a stale or duplicate fact is success', async () => {
    const counter = countRequests(tables.dynamo.client);
    const fact: WhatsappFact = {
      kind: 'message',
      phoneNumberId: PHONE_NUMBER,
      userId: 'counted',
      timeMs: 2_000_000,
      eventId: 'e2',
      messageId: 'wamid.2',
    };
    counter.reset();
    const outcomes = [];
    for (const each of [fact, { ...fact, timeMs: 1_000_000, eventId: 'e1' }, fact])
      outcomes.push(await tables.whatsappThreads.apply(each));
    // dynalite does not return the stored item on a failed condition, so a duplicate reads as stale there.
    expect(outcomes.map((outcome) => outcome === 'applied')).toEqual([true, false, false]);
    expect(counter.total).toBe(3);
    expect([...counter.byCommand.keys()]).toEqual(['UpdateItemCommand']);
  });
});
