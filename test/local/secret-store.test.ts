import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileSecretStore } from '../../local/secret-store.js';
import { startLocalStack } from '../../local/stack.js';
import { useTempFolders } from '../support/temp-folders.js';

const folder = useTempFolders('secrets');

const NAME = 'switchboard/business-tokens/6143763655652543';
const VALUE = JSON.stringify({ accessToken: 'EAAG-business-token', businessId: '6143763655652543' });

/** Local mode on `dataDir` without consumers: the secret store as `npm start` builds it. */
const start = (dataDir?: string) =>
  startLocalStack({ env: {}, port: 0, consumers: false, ...(dataDir === undefined ? {} : { dataDir }) });

describe('local business-token secret store', () => {
  it('keeps a stored token across a restart on the same data folder, in a file only its owner reads', async () => {
    // Prepare
    const dataDir = folder();
    const first = await start(dataDir);

    // Act: a token is stored, then local mode restarts on the same folder.
    await first.secretStore.put(NAME, VALUE);
    await first.close();
    const restarted = await start(dataDir);
    const kept = restarted.secretStore.secrets.get(NAME);
    await restarted.close();

    // Assess
    expect(kept).toBe(VALUE);
    const mode = statSync(join(dataDir, 'secrets', 'business-tokens.json')).mode & 0o777;
    expect(mode.toString(8)).toBe('600');
  });

  it('keeps tokens in memory only without a data folder', async () => {
    // Prepare
    const stack = await start();

    // Act
    await stack.secretStore.put(NAME, VALUE);
    await stack.close();
    const next = await start();

    // Assess: nothing was written anywhere a next start could read it.
    expect(next.secretStore.secrets.size).toBe(0);
    await next.close();
  });

  it('schedules a deletion that a restore undoes, and that a restart keeps with its date', async () => {
    // Prepare
    const dataDir = folder();
    const clock = { now: 1_800_000_000_000 };
    const path = join(dataDir, 'business-tokens.json');
    const store = new FileSecretStore(path, () => clock.now);
    await store.put(NAME, VALUE);

    // Act
    const deleteAfter = await store.scheduleDeletion(NAME, 30);
    const whileScheduled = await store.get(NAME);
    const restarted = new FileSecretStore(path, () => clock.now);
    const restored = await restarted.restore(NAME);
    const afterRestore = await restarted.get(NAME);
    await restarted.scheduleDeletion(NAME, 7);
    clock.now += 8 * 86_400_000;
    const afterWindow = await restarted.get(NAME);
    const restoredTooLate = await restarted.restore(NAME);

    // Assess
    expect(deleteAfter).toBe(1_800_000_000_000 + 30 * 86_400_000);
    expect(whileScheduled).toBeUndefined();
    expect(restored).toBe(true);
    expect(afterRestore).toBe(VALUE);
    expect(afterWindow).toBeUndefined();
    expect(restoredTooLate).toBe(false);
    expect(new FileSecretStore(path).secrets.has(NAME)).toBe(false);
  });
});
