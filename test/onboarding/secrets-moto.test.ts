import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretsManagerStore } from '../../shared/platform/aws/secrets-manager-store.js';
import { motoAvailable, startMoto } from '../support/moto.js';

/**
 * The business-token secret's deletion against moto's Secrets Manager (an emulator of the real API, on
 * loopback): DeleteSecret with a recovery window, reads refused while scheduled, a second DeleteSecret keeping the
 * first date, RestoreSecret undoing it. What moto leaves out: AWS also refuses PutSecretValue while a secret is
 * scheduled (moto accepts it), which is why onboarding restores before it writes.
 */
describe.skipIf(!motoAvailable())('business-token secrets in (moto\u2019s) Secrets Manager', () => {
  let moto: Awaited<ReturnType<typeof startMoto>> | undefined;
  let store: SecretsManagerStore;
  beforeAll(async () => {
    moto = await startMoto();
    const { endpoint } = moto;
    store = new SecretsManagerStore(
      new SecretsManagerClient({
        endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      }),
    );
  });
  afterAll(() => {
    moto?.stop();
  });

  it('schedules deletion after the grace days, reads nothing meanwhile, keeps the first date, and restores', async () => {
    // Prepare
    const name = 'Switchboard/business-tokens/6143763655652543';
    await store.put(name, '{"accessToken":"EAAG"}');
    const before = Date.now();

    // Act
    const deleteAfter = await store.scheduleDeletion(name, 30);
    const whileScheduled = await store.get(name);
    const again = await store.scheduleDeletion(name, 7);
    const restored = await store.restore(name);
    const afterRestore = await store.get(name);

    // Assess
    expect(deleteAfter).toBeGreaterThanOrEqual(before + 30 * 86_400_000 - 1_000);
    expect(deleteAfter).toBeLessThanOrEqual(Date.now() + 30 * 86_400_000 + 1_000);
    expect(whileScheduled).toBeUndefined();
    expect(again).toBe(deleteAfter);
    expect(restored).toBe(true);
    expect(afterRestore).toBe('{"accessToken":"EAAG"}');
  });

  it('answers nothing for a secret that is not there', async () => {
    expect(await store.scheduleDeletion('Switchboard/business-tokens/1', 30)).toBeUndefined();
    expect(await store.restore('Switchboard/business-tokens/1')).toBe(false);
    expect(await store.get('Switchboard/business-tokens/1')).toBeUndefined();
  });
});
