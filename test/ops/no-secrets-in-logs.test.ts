import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES } from '../../fixtures/deliveries.js';
import { signBody } from '../../shared/platform/http/signature.js';
import { until } from '../support/waiting.js';

/** Values a user supplies; none may ever be printed or logged. */
const SECRETS = {
  META_APP_SECRET: 'user-app-secret-7f3a9c2e5b',
  META_APP_SECRET_PREVIOUS: 'user-previous-secret-1d8e4b',
  META_VERIFY_TOKEN: 'user-verify-token-c4b2a91f',
  META_SYSTEM_USER_TOKEN: 'EAAuserSystemToken0a9b8c7d6e',
  META_PAGE_ACCESS_TOKEN: 'EAAuserPageToken5e4d3c2b1a',
};

let child: ChildProcess;
let output = '';
let url = '';

beforeAll(async () => {
  child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
    env: {
      ...process.env,
      ...SECRETS,
      PORT: '0',
      SWITCHBOARD_IN_MEMORY: 'true',
      BUSINESS_TOKENS_ENABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'DEBUG',
      POWERTOOLS_METRICS_DISABLED: 'false',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const collect = (chunk: Buffer) => {
    output += chunk.toString('utf8');
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  while (!/ready at (http:\/\/127\.0\.0\.1:\d+)/.test(output)) {
    if (child.exitCode !== null) throw new Error(`local mode did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  url = /ready at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1] ?? '';
});

afterAll(() => {
  child?.kill('SIGTERM');
});

/** No queue of local mode holds a message any more (the passthrough queue has no consumer there). */
const queuesEmpty = async (): Promise<boolean> => {
  const { queues } = (await (await fetch(`${url}/local/queues`)).json()) as {
    queues: { name: string; visible: number; inFlight: number }[];
  };
  return queues.every(({ name, visible, inFlight }) => name === 'passthrough' || visible + inFlight === 0);
};

const signaturesSent: string[] = [];
const post = async (body: string, secret: string) => {
  const signature = signBody(body, secret);
  signaturesSent.push(signature, signature.slice(7));
  return fetch(`${url}/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
    body,
  });
};

describe('logs', () => {
  it('a full local flow with user-supplied secrets logs none of them, nor any signature or token', async () => {
    // Act: every kind of traffic the system handles.
    const verify = await fetch(
      `${url}/webhook?hub.mode=subscribe&hub.verify_token=${SECRETS.META_VERIFY_TOKEN}&hub.challenge=42`,
    );
    expect(verify.status).toBe(200);
    expect(
      (await fetch(`${url}/webhook?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=42`)).status,
    ).toBe(403);
    for (const fixture of Object.values(FIXTURES))
      expect((await post(JSON.stringify(fixture.body), SECRETS.META_APP_SECRET)).status).toBe(200);
    expect((await post('{"object":"page","entry":[]}', SECRETS.META_APP_SECRET_PREVIOUS)).status).toBe(200);
    expect((await post('{"forged":true}', 'attacker-guess')).status).toBe(401);
    expect((await fetch(`${url}/v1/reconcile`, { method: 'POST' })).status).toBe(200);
    expect((await fetch(`${url}/v1/solutions/19702253086782/accept`, { method: 'POST' })).status).toBe(200);
    const thread = `${url}/v1/threads/1029384756102938/5647382910564738`;
    expect((await fetch(`${thread}/take`, { method: 'POST' })).status).toBe(200);
    expect((await fetch(`${thread}?refresh=true`)).status).toBe(200);
    expect((await fetch(`${thread}/release`, { method: 'POST' })).status).toBe(200);
    // Every queued delivery and token job consumed, and the token recorded: counted, not timed.
    const waba = async () =>
      (await (await fetch(`${url}/v1/wabas/102290129340398`)).json()) as {
        businessTokenSecret?: string | null;
      };
    await until(async () => (await waba()).businessTokenSecret != null && (await queuesEmpty()));
    // Assess
    expect((await waba()).businessTokenSecret).toBe('switchboard/business-tokens/6143763655652543');
    const lines = output.split('\n').filter((line) => line.trim() !== '');
    expect(lines.filter((line) => line.startsWith('{')).length).toBeGreaterThan(20);
    for (const secret of [...Object.values(SECRETS), ...signaturesSent, 'EAAsandbox']) {
      const leaks = lines.filter((line) => line.includes(secret));
      expect(leaks, `"${secret}" appears in the output`).toEqual([]);
    }
  });

  it('every consumer log line names its event and delivery', () => {
    const recordLines = output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter(
        (line) =>
          ['solutions', 'wabas', 'threads'].includes(String(line.service)) &&
          line.message !== undefined &&
          !('_aws' in line),
      );
    expect(recordLines.length).toBeGreaterThan(5);
    for (const line of recordLines) {
      expect(line, JSON.stringify(line)).toMatchObject({
        eventId: expect.stringMatching(/^[0-9a-f]{40}$/),
        deliveryId: expect.any(String),
      });
    }
  });
});
