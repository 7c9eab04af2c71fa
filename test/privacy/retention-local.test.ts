import { describe, expect, it } from 'vitest';
import { hashUserId } from '../../shared/app/privacy/event-user-ids.js';
import { deliver, readJson, sample } from '../support/corpus.js';
import { useLocalStack } from '../support/local-stack.js';

const DAY_MS = 86_400_000;
const PAGE = '104508901353867';
const USER = '2718281828459045';
const pass = sample('handover/pass-thread-control');
/** A WhatsApp `messages` delivery: no domain takes it (passthrough only). */
const message = {
  object: 'whatsapp_business_account',
  entry: [
    { id: '102290129340398', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp' } }] },
  ],
};

describe('retention in local mode (dynalite, the local archive, an injected clock)', () => {
  const clock = { ms: Date.UTC(2026, 11, 1) };
  const local = useLocalStack({
    now: () => clock.ms,
    env: { ARCHIVE_RETENTION_DAYS: '35', ARCHIVE_PASSTHROUGH: 'none', IDLE_THREAD_DAYS: '60' },
  });
  const replay = (fromMs: number, toMs: number) =>
    readJson(local.stack, '/v1/replay', {
      method: 'POST',
      body: JSON.stringify({ from: Math.floor(fromMs / 1000), to: Math.floor(toMs / 1000) }),
    });

  it('an idle thread expires, reads as never seen, and the archive has nothing older to bring back', async () => {
    // Prepare: a thread, and a delivery no domain takes (not archived: archivePassthrough=none).
    const receivedAt = clock.ms;
    await deliver(local.stack, pass.body);
    await deliver(local.stack, message);
    const kept = await replay(receivedAt, receivedAt + 1_000);
    await local.stack.drain();
    expect((await readJson(local.stack, `/v1/threads/${PAGE}/${USER}`)).status).toBe(200);

    // Act: 61 days without an event.
    clock.ms += 61 * DAY_MS;
    const expired = await readJson(local.stack, `/v1/threads/${PAGE}/${USER}`);
    const late = await replay(receivedAt, receivedAt + 1_000);
    await local.stack.drain();

    // Assess: only the handover delivery was archived; 61 days on the thread is gone and the archive (35 days)
    // holds nothing that could rebuild it.
    expect(kept.body.deliveries).toBe(1);
    expect(expired.status).toBe(404);
    expect(late.body.deliveries).toBe(0);
    expect((await readJson(local.stack, `/v1/threads/${PAGE}/${USER}`)).status).toBe(404);
  });

  it('a new event after the expiry starts the thread afresh', async () => {
    // Act
    const body = structuredClone(pass.body) as { entry: { messaging: { timestamp: number }[] }[] };
    for (const event of body.entry.flatMap((entry) => entry.messaging)) event.timestamp = clock.ms;
    await deliver(local.stack, body);

    // Assess
    expect((await readJson(local.stack, `/v1/threads/${PAGE}/${USER}`)).body).toMatchObject({
      ownerAppId: '123456789',
      updatedAt: clock.ms,
    });
  });
});

describe('user IDs in domain events (eventUserIds=hashed)', () => {
  const local = useLocalStack({ env: { EVENT_USER_IDS: 'hashed', EVENT_USER_ID_KEY: 'deployment-key' } });

  it('are a keyed hash: the same person always the same value, the ID itself nowhere', async () => {
    // Act
    await deliver(local.stack, pass.body);

    // Assess
    const changed = local.stack.events.items.filter(
      (event) => event['detail-type'] === 'Thread Owner Changed',
    );
    expect(changed.map((event) => event.detail.userId)).toEqual([hashUserId('deployment-key', USER)]);
    expect(JSON.stringify(local.stack.events.items)).not.toContain(USER);
  });
});
