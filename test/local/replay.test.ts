import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { replayWindow } from '../../cli/streams.js';
import { type LocalStack, startLocalStack } from '../../local/stack.js';
import { REPLAY_CONCURRENCY } from '../../shared/app/replay/replay.js';
import { readJson } from '../support/corpus.js';
import { postSigned } from '../support/local-stack.js';

/**
 * A replay of a busy window always finishes. Local mode; every delivery of the window was received within its
 * first two minutes, and while the replay runs the clock jumps 30 s at each reading, so each call's budget ends
 * after one delivery: the caller must still get through the window, each delivery put back once.
 */
let clockJump = 0;
let jumps = false;
const now = () => {
  if (jumps) clockJump += 30_000;
  return Date.now() + clockJump;
};
let stack: LocalStack;
const DELIVERIES = 12;
let window = { from: 0, to: 0 };

beforeAll(async () => {
  stack = await startLocalStack({ env: {}, port: 0, visibilityTimeoutMs: 200, now });
  const from = Math.floor(now() / 1000);
  for (let index = 0; index < DELIVERIES; index++) {
    const body = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [{ id: '506914307656634', time: from, changes: [{ field: 'messages', value: { index } }] }],
    });
    expect((await postSigned(stack.url, body, stack.env.META_APP_SECRET ?? '')).status).toBe(200);
  }
  window = { from, to: Math.floor(now() / 1000) + 1 };
});

afterAll(async () => {
  await stack?.close();
});

const replayCall = (body: Record<string, unknown>) =>
  readJson(stack, '/v1/replay', { method: 'POST', body: JSON.stringify(body) });

describe('replay of a busy window', () => {
  it('progresses at every call and finishes, each delivery put back once', async () => {
    // Act: a caller that follows the answers, with a generous cap instead of a time limit
    jumps = true;
    let position: { cursor?: string } = {};
    let replayed = 0;
    let calls = 0;
    let complete = false;
    while (!complete && calls < DELIVERIES * 3) {
      const answer = await replayCall({ ...window, ...position });
      calls += 1;
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      replayed += Number(answer.body.deliveries);
      complete = answer.body.complete === true;
      position = typeof answer.body.cursor === 'string' ? { cursor: answer.body.cursor } : {};
    }
    jumps = false;

    // Assess
    expect(complete).toBe(true);
    expect(replayed).toBe(DELIVERIES);
    expect(calls).toBeLessThanOrEqual(Math.ceil(DELIVERIES / REPLAY_CONCURRENCY) + 1);
  });

  it('the CLI loop (npm run switchboard -- replay) gets through the same window and stops', async () => {
    const printed: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((line: string) => printed.push(line));
    const progress = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    jumps = true;
    const code = await replayWindow(stack.url, { ...window, region: undefined, json: true });
    jumps = false;
    log.mockRestore();
    progress.mockRestore();

    expect(code).toBe(0);
    expect(JSON.parse(printed.at(-1) ?? '{}')).toMatchObject({ deliveries: DELIVERIES });
  });
});
