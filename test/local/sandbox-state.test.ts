import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSandboxGraph } from '../../local/sandbox-graph.js';
import { useTempFolders } from '../support/temp-folders.js';

const tempFolder = useTempFolders('sandbox-state');
const TOKENS = { systemUserToken: 'system-token', pageToken: 'page-token' };
const OPTIONS = { appId: '21202248997039', businessId: '506914307656634', ...TOKENS };
const SOLUTION = '19702253086782';
const THREAD = 'recipient=%7B%22id%22%3A%225647382910564738%22%7D';

const call = async (base: string, method: string, path: string, token = TOKENS.systemUserToken) => {
  const response = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

describe('the sandbox Graph API on a data folder', () => {
  it('keeps what actions changed across a restart, as Meta does: an accepted solution, a taken thread', async () => {
    const stateFile = join(tempFolder(), 'sandbox', 'state.json');
    const first = await startSandboxGraph({ ...OPTIONS, stateFile });
    expect((await call(first.baseUrl, 'POST', `/${SOLUTION}/accept`)).status).toBe(200);
    const taken = await call(
      first.baseUrl,
      'POST',
      `/1029384756102938/take_thread_control?${THREAD}`,
      'page-token',
    );
    expect(taken.status).toBe(200);
    await first.close();

    const again = await startSandboxGraph({ ...OPTIONS, stateFile });
    expect((await call(again.baseUrl, 'GET', `/${SOLUTION}`)).body).toMatchObject({ status: 'ACTIVE' });
    expect((await call(again.baseUrl, 'POST', `/${SOLUTION}/accept`)).status).toBe(400);
    const owner = await call(again.baseUrl, 'GET', `/1029384756102938/thread_owner?${THREAD}`, 'page-token');
    expect(owner.body).toMatchObject({ data: [{ thread_owner: { app_id: OPTIONS.appId } }] });
    await again.close();
  });

  it('without a data folder starts from its seed every time', async () => {
    const first = await startSandboxGraph(OPTIONS);
    await call(first.baseUrl, 'POST', `/${SOLUTION}/accept`);
    await first.close();
    const again = await startSandboxGraph(OPTIONS);
    expect((await call(again.baseUrl, 'GET', `/${SOLUTION}`)).body).toMatchObject({ status: 'INITIATED' });
    await again.close();
  });

  it('refuses to start on a state file that is not its own, naming it', async () => {
    const stateFile = join(tempFolder(), 'state.json');
    writeFileSync(stateFile, 'not json');
    await expect(startSandboxGraph({ ...OPTIONS, stateFile })).rejects.toThrow(stateFile);
  });
});
