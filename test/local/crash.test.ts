import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { signBody } from '../../shared/platform/http/signature.js';
import { sized } from '../support/sizes.js';

/**
 * The contract's 200 means "durably queued". Local mode on a data folder, `kill -9` at random points of a
 * burst from 20 concurrent senders, restarted on the same folder each time: every delivery that was answered
 * 200 must be applied (WABAs) or kept (passthrough), none lost. A kill point is a count of acknowledged
 * deliveries, never a time, so a slow machine runs the same test, only slower.
 */
const KILLS = sized('CRASH_KILLS', { fast: 1, soak: 10 });
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
    // A hang guard only (a loaded machine starts it in seconds): the output says why it did not start.
    const timer = setTimeout(() => reject(new Error(`local mode did not start: ${output}`)), 90_000);
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

/**
 * 20 senders post distinct deliveries until the process dies: `kill -9` once `killAt` of them were answered
 * 200, with the other senders' deliveries in flight. Answers the WABAs acknowledged with 200.
 */
const burst = async (url: string, round: number, killAt: number): Promise<string[]> => {
  const acknowledged: string[] = [];
  let sequence = 0;
  const sender = async () => {
    for (;;) {
      const wabaId = `7${String(round).padStart(3, '0')}${String(sequence++).padStart(8, '0')}`;
      const body = JSON.stringify(partnerAdded(wabaId));
      try {
        const response = await fetch(`${url}/webhook`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(body, SECRET) },
          body,
        });
        if (response.status === 200 && acknowledged.push(wabaId) === killAt) child?.kill('SIGKILL');
      } catch {
        return; // the process is gone
      }
    }
  };
  await Promise.all(Array.from({ length: 20 }, sender));
  return acknowledged;
};

/** Waits (counting nothing by the clock) until no domain queue holds a message: every retry has run. */
const drained = async (url: string): Promise<void> => {
  for (;;) {
    const { queues } = (await (await fetch(`${url}/local/queues`)).json()) as {
      queues: { name: string; visible: number; inFlight: number }[];
    };
    const pending = queues.filter(({ name }) => name !== 'passthrough');
    if (pending.every(({ visible, inFlight }) => visible + inFlight === 0)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
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
  it(`${KILLS} kill(s) at random points of a burst, each followed by a restart: nothing acknowledged is lost`, async () => {
    // Act: each round is killed once a random number of its deliveries (20 to 79) were acknowledged.
    const killPoints = Array.from({ length: KILLS }, () => 20 + Math.floor(Math.random() * 60));
    const rounds: string[][] = [];
    for (const [round, killAt] of killPoints.entries())
      rounds.push(await burst(await start(), round, killAt));
    const url = await start();
    await drained(url);
    const acknowledged = rounds.flat();
    const missing = await applied(url, acknowledged);
    const passthrough = (await (await fetch(`${url}/local/queues/passthrough/messages`)).json()) as {
      messages: { change?: { value?: { marker?: string } } }[];
    };
    const kept = new Set(passthrough.messages.map((message) => message.change?.value?.marker));
    child?.kill('SIGKILL');

    // Assess: every round ran to its kill point (local mode did not die by itself), and nothing was lost.
    const reached = rounds.map((round, index) => round.length >= (killPoints[index] ?? 0));
    expect(
      reached,
      `acknowledged ${rounds.map((round) => round.length)}, kill points ${killPoints}`,
    ).not.toContain(false);
    expect(missing).toEqual([]);
    expect(acknowledged.filter((wabaId) => !kept.has(wabaId))).toEqual([]);
  });
});
