import { describe, expect, it } from 'vitest';
import type { WhatsappFact } from '../../shared/domains/whatsapp-threads/facts.js';
import { BY_USER_INDEX, whatsappThreadsManifest } from '../../shared/domains/whatsapp-threads/manifest.js';
import { DynamoErasureStore } from '../../shared/platform/store/dynamo-erasure.js';
import { useLocalTables } from '../support/dynamo.js';

/**
 * The WhatsApp threads table on dynalite: a phone number's threads listed page by page, filtered by owner, with
 * cursors that hold business-scoped user IDs; every thread of one user across phone numbers (erasure, issue 28).
 */
const T = 1_750_101_000_000;
const TABLE = whatsappThreadsManifest.table;
const byUser = () => {
  const index = TABLE.indexes.find((candidate) => candidate.name === BY_USER_INDEX.name);
  if (index === undefined) throw new Error('the WhatsApp threads table has no user index');
  return index;
};
const clock = { now: T + 60_000 };
const tables = useLocalTables(() => clock.now);

const activity = (
  kind: 'message' | 'standby_message',
  phoneNumberId: string,
  userId: string,
  timeMs = T,
): WhatsappFact => ({
  kind,
  phoneNumberId,
  userId,
  timeMs,
  eventId: `${kind}-${phoneNumberId}-${userId}-${timeMs}`,
  messageId: `wamid.${userId}`,
});
const message = (phoneNumberId: string, userId: string) => activity('message', phoneNumberId, userId);
const standby = (phoneNumberId: string, userId: string) => activity('standby_message', phoneNumberId, userId);

describe('listing a phone number\u2019s threads', () => {
  it('pages through every thread, BSUID keys included, and filters by owner read now', async () => {
    // Prepare: 7 threads of one number (4 ours, 3 someone else's), 1 of another number.
    const number = '700000000000001';
    const ours = ['16505550001', 'US.13491208655302741918', '16505550003', 'user.9373795779eb'];
    const theirs = ['16505550010', 'US.99', '16505550012'];
    for (const user of ours) await tables.whatsappThreads.apply(message(number, user));
    for (const user of theirs) await tables.whatsappThreads.apply(standby(number, user));
    await tables.whatsappThreads.apply(message('700000000000002', '16505550001'));

    // Act
    const all: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await tables.whatsappThreads.listByPhoneNumber(number, undefined, 3, cursor);
      expect(page.items.length).toBeLessThanOrEqual(3);
      all.push(...page.items.map((thread) => thread.userId));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    const mine: string[] = [];
    cursor = undefined;
    do {
      const page = await tables.whatsappThreads.listByPhoneNumber(number, 'us', 2, cursor);
      mine.push(...page.items.map((thread) => thread.userId));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    clock.now = T + 25 * 60 * 60 * 1000;
    const idle = await tables.whatsappThreads.listByPhoneNumber(number, null, 100);
    clock.now = T + 60_000;

    // Assess
    expect(all.sort()).toEqual([...ours, ...theirs].sort());
    expect(mine.sort()).toEqual([...ours].sort());
    expect(idle.items).toHaveLength(7);
    expect(idle.nextCursor).toBeNull();
  });

  it('refuses a cursor that is not one it gave, or one for another phone number', async () => {
    const page = await tables.whatsappThreads.listByPhoneNumber('700000000000001', undefined, 1);
    const cursor = page.nextCursor ?? '';
    await expect(
      tables.whatsappThreads.listByPhoneNumber('700000000000002', undefined, 1, cursor),
    ).rejects.toThrow(/cursor/);
    const forged = Buffer.from(JSON.stringify({ phoneNumberId: '700000000000001', userId: '../x' })).toString(
      'base64url',
    );
    await expect(
      tables.whatsappThreads.listByPhoneNumber('700000000000001', undefined, 1, forged),
    ).rejects.toThrow(/cursor/);
  });
});

describe('erasure (issue 28): every thread of one user', () => {
  it('finds the user\u2019s threads across phone numbers and nobody else\u2019s', async () => {
    // Prepare: one user's threads on 150 phone numbers, and another user's on one of them.
    const user = 'US.55501234';
    for (let n = 0; n < 150; n++)
      await tables.whatsappThreads.apply(message(String(800_000_000_000_000 + n), user));
    await tables.whatsappThreads.apply(message('800000000000000', 'US.55501235'));

    const store = new DynamoErasureStore(
      tables.dynamo.client,
      tables.dynamo.tableNames['whatsapp-threads'],
      TABLE,
    );

    // Act: the query erasure runs.
    const keys = await store.keysByIndex(byUser(), user);

    // Assess

    expect(keys).toHaveLength(150);
    expect(new Set(keys.map((key) => key.userId))).toEqual(new Set([user]));
    expect(keys.map((key) => key.phoneNumberId)).toContain('800000000000149');
  });
});
