import { DeleteItemCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyThreadEvent,
  type ThreadEvent,
  threadKey,
  threadWrite,
} from '../../shared/domains/threads/thread.js';
import {
  ERASED_BEFORE,
  erasureFloor,
  type Item,
  RETAIN_UNTIL,
  versionOf,
} from '../../shared/kernel/registers.js';
import { RegisterTable } from '../../shared/platform/store/register-table.js';
import { logWithRedelivery, threadEvent } from '../support/arbitraries.js';
import { useLocalTables } from '../support/dynamo.js';

const tables = useLocalTables();
const DAY = 86_400;
const IDLE_DAYS = 60;
let run = 0;

/** The threads table with a clock the test moves, as the consumers and actions use it. */
const threadsAt = (clock: { ms: number }) =>
  new RegisterTable(tables.dynamo.client, tables.dynamo.tableNames.threads, {
    idleSeconds: IDLE_DAYS * DAY,
    now: () => clock.ms,
  });

const raw = async (key: Item): Promise<Item | undefined> => {
  const { Item: item } = await tables.dynamo.client.send(
    new GetItemCommand({
      TableName: tables.dynamo.tableNames.threads,
      Key: marshall(key),
      ConsistentRead: true,
    }),
  );
  return item === undefined ? undefined : unmarshall(item);
};

const put = (item: Item) =>
  tables.dynamo.client.send(
    new PutItemCommand({ TableName: tables.dynamo.tableNames.threads, Item: marshall(item) }),
  );

const pass = (userId: string, timeMs: number, owner: string, eventId = `e${timeMs}`): ThreadEvent => ({
  kind: 'pass',
  pageId: 'page',
  userId,
  timeMs,
  eventId,
  source: 'webhook',
  metadata: 'note',
  previousOwnerAppId: null,
  newOwnerAppId: owner,
  expiresAt: null,
});

describe('tombstones in the write path', () => {
  it('refuse an event at or before the erasure (counted as erased), in DynamoDB and in memory alike', async () => {
    // Prepare: a user's item erased at t = 5,000 ms: only the keys, the floor and its expiry remain.
    const clock = { ms: 10_000 };
    const table = threadsAt(clock);
    const userId = `erased-${run++}`;
    const tombstone = {
      ...threadKey('page', userId),
      [ERASED_BEFORE]: erasureFloor(5_000),
      [RETAIN_UNTIL]: 10 + DAY,
    };
    await put(tombstone);

    // Act
    const late = await table.write(threadKey('page', userId), threadWrite(pass(userId, 5_000, 'A')));
    const older = await table.write(threadKey('page', userId), threadWrite(pass(userId, 4_000, 'A')));

    // Assess: refused, nothing stored, and the in-memory twin says the same.
    expect([late, older]).toEqual(['erased', 'erased']);
    expect(await raw(threadKey('page', userId))).toEqual(tombstone);
    expect(await table.get(threadKey('page', userId))).toBeUndefined();
    expect(applyThreadEvent(tombstone, pass(userId, 5_000, 'A')).outcome).toBe('erased');
  });

  it('let an event after the erasure apply (the person came back), the floor kept', async () => {
    // Prepare
    const clock = { ms: 10_000 };
    const table = threadsAt(clock);
    const userId = `back-${run++}`;
    await put({
      ...threadKey('page', userId),
      [ERASED_BEFORE]: erasureFloor(5_000),
      [RETAIN_UNTIL]: 10 + DAY,
    });

    // Act
    const outcome = await table.write(threadKey('page', userId), threadWrite(pass(userId, 5_001, 'B')));

    // Assess
    expect(outcome).toBe('applied');
    const stored = await raw(threadKey('page', userId));
    expect(stored?.[ERASED_BEFORE]).toBe(erasureFloor(5_000));
    expect(stored?.[RETAIN_UNTIL]).toBe(10 + IDLE_DAYS * DAY);
    expect(await table.get(threadKey('page', userId))).toMatchObject({ r_pass: { newOwnerAppId: 'B' } });
  });
});

describe('idle expiry of items that name a person', () => {
  it('every applied write keeps the item alive an idle period; past it the item reads as never seen', async () => {
    // Prepare
    const clock = { ms: 1_000_000 };
    const table = threadsAt(clock);
    const userId = `idle-${run++}`;
    const key = threadKey('page', userId);

    // Act
    await table.write(key, threadWrite(pass(userId, 900_000, 'A')));
    const alive = await table.get(key);
    clock.ms += (IDLE_DAYS * DAY + 1) * 1000;
    const expired = await table.get(key);

    // Assess
    expect(alive?.[RETAIN_UNTIL]).toBe(1_000 + IDLE_DAYS * DAY);
    expect(expired).toBeUndefined();
  });

  it('the page item (app roles, no person) does not expire', async () => {
    // Prepare
    const table = threadsAt({ ms: 1_000_000 });

    // Act
    await table.write(
      threadKey(`page-${run++}`, '#page'),
      threadWrite({
        kind: 'app_roles',
        pageId: 'p',
        timeMs: 1,
        eventId: 'r',
        roles: { '1': ['primary_receiver'] },
      }),
    );

    // Assess
    const items = await table.scanPage(100, undefined, ['pageId', 'userId']);
    expect(
      items.items.filter((item) => item.userId === '#page').every((item) => !(RETAIN_UNTIL in item)),
    ).toBe(true);
  });

  it('an expired item is written as if TTL had deleted it already, whenever DynamoDB does (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(threadEvent('page', 'x'), { minLength: 1, maxLength: 6 }),
        logWithRedelivery(threadEvent('page', 'x'), 6),
        async (old, { log, redelivery }) => {
          // Prepare: the same old history in two items; one is deleted by TTL, the other still lingers.
          const clock = { ms: 2_000_000 };
          const table = threadsAt(clock);
          const [deleted, lingering] = [`gone-${run++}`, `lingering-${run++}`];
          for (const userId of [deleted, lingering])
            for (const event of old)
              await table.write(threadKey('page', userId), threadWrite({ ...event, userId }));
          clock.ms += (IDLE_DAYS * DAY + 10) * 1000;
          await tables.dynamo.client.send(
            new DeleteItemCommand({
              TableName: tables.dynamo.tableNames.threads,
              Key: marshall(threadKey('page', deleted)),
            }),
          );

          // Act: events arrive after the expiry, in any order, some twice (late ones among them).
          for (const userId of [deleted, lingering])
            for (const event of redelivery)
              await table.write(threadKey('page', userId), threadWrite({ ...event, userId }));

          // Assess: both hold exactly what the new events alone give.
          const [first, second] = [
            await raw(threadKey('page', deleted)),
            await raw(threadKey('page', lingering)),
          ];
          const { userId: _a, ...gone } = first ?? {};
          const { userId: _b, ...lingered } = second ?? {};
          expect(lingered).toEqual(gone);
          let memory: Item | undefined;
          for (const event of log) memory = applyThreadEvent(memory, { ...event, userId: deleted }).item;
          expect(first).toEqual({ ...memory, [RETAIN_UNTIL]: Math.floor(clock.ms / 1000) + IDLE_DAYS * DAY });
        },
      ),
      { numRuns: 15, seed: 20261207 },
    );
  });

  it('versions keep their order across the floor: an event at the erasure instant sorts below it', () => {
    expect(versionOf(5_000, 99, 'ffff') < erasureFloor(5_000)).toBe(true);
    expect(versionOf(5_001, 0, '0') > erasureFloor(5_000)).toBe(true);
  });
});
