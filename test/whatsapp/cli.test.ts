import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { useLocalStack } from '../support/local-stack.js';

const run = promisify(execFile);
const local = useLocalStack();
const PHONE_NUMBER = '106540352242922';
const USER = '16505551234';

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

describe('WhatsApp threads from the command line (local mode, sandbox Graph API)', () => {
  it('trigger a message, read the thread, list by owner, pass it to Meta Business Agent', async () => {
    const triggered = await cli('cli/trigger.ts', 'wa-message', '--url', `${local.stack.url}/webhook`);
    expect(triggered).toMatchObject({ code: 0, out: expect.stringContaining('wa-message → 200') });
    await local.stack.drain();

    const got = await switchboard('whatsapp-threads', 'get', PHONE_NUMBER, USER);
    expect(got).toMatchObject({
      code: 0,
      out: expect.stringContaining(`${PHONE_NUMBER}/${USER}  owned by us`),
    });
    const listed = await switchboard('whatsapp-threads', 'list', PHONE_NUMBER, 'us', '--json');
    expect(JSON.parse(listed.out)).toMatchObject({
      items: [{ userId: USER, owner: 'us' }],
      nextCursor: null,
    });

    const passed = await switchboard('whatsapp-threads', 'pass', PHONE_NUMBER, USER, '--to', 'ai_agent');
    expect(passed).toMatchObject({ code: 0, out: expect.stringContaining('owned by ai_agent') });
    const wrong = await switchboard('whatsapp-threads', 'get', PHONE_NUMBER, 'a/b');
    expect(wrong.code).toBe(1);
  });
});
