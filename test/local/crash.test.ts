import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { signBody } from '../../shared/platform/http/signature.js';

/**
 * The contract's 200 means "durably queued". Local mode on a data folder, `kill -9` at random points of a
 * burst from 20 concurrent senders, restarted on the same folder each time: every delivery that was answered
 * 200 must be applied (WABAs) or kept (passthrough), none lost.
 */
const SECRET = 'crash-test-app-secret';
const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-crash-'));
let child: ChildProcess | undefined;

afterAll(() => {
  child?.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

const start = async (): Promise<string> => {
  const started = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
    env: {
      ...process.env,
      PORT: '0',
      SWITCHBOARD_DATA_DIR: dataDir,
      SWITCHBOARD_IN_MEMORY: 'false',
      META_APP_SECRET: SECRET,
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = started;
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`local mode did not start: ${output}`)), 45_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /ready at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      if (url !== undefined) {
        clearTimeout(timer);
        resolve(url);
      }
    };
    started.stdout?.on('data', read);
    started.stderr?.on('data', read);
    started.on('exit', (code) => reject(new Error(`local mode exited ${code}: ${output}`)));
  });
};

const partnerAdded = (wabaId: string) => ({
  object: 'whatsapp_business_account',
  entry: [
    {
      id: '506914307656634',
      time: 1731617831,
      changes: [
        {
          field: 'account_update',
          value: {
            event: 'PARTNER_ADDED',
            waba_info: { waba_id: wabaId, owner_business_id: '942647313864044' },
          },
        },
        { field: 'messages', value: { messaging_product: 'whatsapp', marker: wabaId } },
      ],
    },
  ],
});

/** 20 senders post distinct deliveries until the process dies; answers the WABAs acknowledged with 200. */
const burst = async (url: string, round: number, killAfterMs: number): Promise<string[]> => {
  const acknowledged: string[] = [];
  let sequence = 0;
  const killer = setTimeout(() => child?.kill('SIGKILL'), killAfterMs);
  const sender = async () => {
    for (;;) {
      const wabaId = `7${round}${String(sequence++).padStart(8, '0')}`;
      const body = JSON.stringify(partnerAdded(wabaId));
      try {
        const response = await fetch(`${url}/webhook`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(body, SECRET) },
          body,
        });
        if (response.status === 200) acknowledged.push(wabaId);
      } catch {
        return; // the process is gone
      }
    }
  };
  await Promise.all(Array.from({ length: 20 }, sender));
  clearTimeout(killer);
  return acknowledged;
};

const applied = async (url: string, wabaIds: readonly string[]): Promise<string[]> => {
  const missing: string[] = [];
  for (const wabaId of wabaIds) {
    const response = await fetch(`${url}/v1/wabas/${wabaId}`);
    if (response.status !== 200) missing.push(wabaId);
  }
  return missing;
};

describe('local mode keeps every acknowledged delivery across kill -9', () => {
  it('three kills at random points of a burst, three restarts: nothing acknowledged is lost', async () => {
    const acknowledged: string[] = [];
    for (const round of [1, 2, 3]) {
      const url = await start();
      acknowledged.push(...(await burst(url, round, 300 + Math.floor(Math.random() * 1_200))));
    }
    const url = await start();
    let missing = [...acknowledged];
    for (let attempt = 0; attempt < 40 && missing.length > 0; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      missing = await applied(url, missing);
    }
    const passthrough = (await (await fetch(`${url}/local/queues/passthrough/messages`)).json()) as {
      messages: { change?: { value?: { marker?: string } } }[];
    };
    const kept = new Set(passthrough.messages.map((message) => message.change?.value?.marker));
    child?.kill('SIGKILL');

    expect(acknowledged.length).toBeGreaterThan(50);
    expect(missing).toEqual([]);
    expect(acknowledged.filter((wabaId) => !kept.has(wabaId))).toEqual([]);
  });
});
