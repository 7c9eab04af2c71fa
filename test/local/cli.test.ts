import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { getJson, useLocalStack } from '../support/local-stack.js';

const run = promisify(execFile);
const local = useLocalStack();
const PAGE = '1029384756102938';
const PSID = '5647382910564738';

/** Runs a CLI in its own process, as a user would, and answers its exit code and output. */
const cli = async (script: string, ...args: string[]) => {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', script, ...args], {
      env: { ...process.env, PORT: '1' },
    });
    return { code: 0, out: `${stdout}${stderr}` };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, out: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
};
const switchboard = (...args: string[]) => cli('cli/switchboard.ts', ...args, '--url', local.stack.url);

describe('the CLIs against local mode', () => {
  it('trigger signs and posts a fixture: 200', async () => {
    const result = await cli('cli/trigger.ts', 'partner-added', '--url', `${local.stack.url}/webhook`);
    expect(result).toMatchObject({ code: 0, out: expect.stringContaining('partner-added → 200') });
    const unsigned = await cli(
      'cli/trigger.ts',
      'partner-added',
      '--url',
      `${local.stack.url}/webhook`,
      '--secret',
      'wrong',
    );
    expect(unsigned).toMatchObject({ code: 1, out: expect.stringContaining('401') });
  });

  it('reconcile records WABAs no webhook announced (the first sweep as a baseline), which read back as discovered by reconciliation', async () => {
    const result = await switchboard('reconcile', '--json');
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.out) as {
      wabasDiscovered: number;
      wabasBaselined: number;
      baseline: boolean;
      complete: boolean;
    };
    expect(summary).toMatchObject({ complete: true, baseline: true, wabasDiscovered: 0 });
    expect(summary.wabasBaselined).toBeGreaterThanOrEqual(1);
    const status = await switchboard('reconcile', 'status');
    expect(status).toMatchObject({ code: 0, out: expect.stringContaining('last completed sweep: started') });
    const { body } = await getJson(`${local.stack.url}/v1/wabas/120399918844556`);
    expect(body).toMatchObject({
      name: 'Unannounced Bakery',
      discoveredBy: 'reconciliation',
      solutionId: '17602267745700',
    });
  });

  it('accepts a pending sandbox solution, which reads ACTIVE; a second accept answers 409', async () => {
    const accepted = await switchboard('solutions', 'accept', '19702253086782');
    expect(accepted).toMatchObject({ code: 0, out: expect.stringContaining('ACTIVE') });
    const { body } = await getJson(`${local.stack.url}/v1/solutions/19702253086782`);
    // The sandbox also sends Meta's webhook of the change; in a later second (a busy machine) it is the newer
    // record of the same status (docs/time-and-order.md), so either source may be the last.
    expect(body).toMatchObject({ status: 'ACTIVE', lastSource: expect.stringMatching(/^(action|webhook)$/) });
    const again = await switchboard('solutions', 'accept', '19702253086782');
    expect(again).toMatchObject({ code: 1, out: expect.stringContaining('409 conflict') });
  });

  it('takes a thread, reads its owner and expiry, releases it, and reads it idle', async () => {
    expect((await switchboard('threads', 'take', PAGE, PSID)).code).toBe(0);
    const owned = await switchboard('threads', 'get', PAGE, PSID, '--json');
    const thread = JSON.parse(owned.out) as { ownerAppId: string; expiresAt: number };
    expect(thread.ownerAppId).toBe('21202248997039');
    expect(thread.expiresAt).toBeGreaterThan(Date.now());
    expect((await switchboard('threads', 'release', PAGE, PSID)).out).toContain('idle');
    const idle = await switchboard('threads', 'get', PAGE, PSID, '--refresh');
    expect(idle).toMatchObject({ code: 0, out: expect.stringContaining('idle') });
  });

  it('explains usage errors with exit code 2', async () => {
    expect(await switchboard('threads', 'pass', PAGE, PSID)).toMatchObject({
      code: 2,
      out: expect.stringContaining('missing --to'),
    });
    expect((await switchboard('nonsense')).code).toBe(2);
  });
});
