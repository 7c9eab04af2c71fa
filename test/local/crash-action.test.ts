import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type FakeReply, useFakeGraph } from '../support/fake-graph.js';

/**
 * "A POST is never sent twice" across a crash. Local mode runs as a real process on a data folder; Meta (a
 * Graph stand-in) holds the answer to `take_thread_control` while the process is killed (`kill -9`). The
 * process restarts with its clock past the action's lease (35 s), as a retry would find it: the claim and the
 * lease the dead process held have lapsed. Before sending again, Meta's `thread_owner` must settle whether the
 * first take happened.
 */
const graph = useFakeGraph();
const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-crash-action-'));
const APP = '21202248997039';
const PAGE = '1029384756102938';
const [TAKEN_WITH_KEY, TAKEN_WITHOUT_KEY, NOT_TAKEN] = [
  '5100000000000001',
  '5100000000000002',
  '5100000000000003',
];
const releases: (() => void)[] = [];
let child: ChildProcess | undefined;

afterAll(() => {
  child?.kill('SIGKILL');
  for (const release of releases) release();
  rmSync(dataDir, { recursive: true, force: true });
});

const start = async (clockAheadMs: number): Promise<string> => {
  const started = spawn(
    process.execPath,
    ['--import', 'tsx', '--import', './test/support/clock-ahead.mjs', 'local/start.ts'],
    {
      env: {
        ...process.env,
        PORT: '0',
        SWITCHBOARD_DATA_DIR: dataDir,
        SWITCHBOARD_IN_MEMORY: 'false',
        GRAPH_API_BASE_URL: graph.base,
        META_SYSTEM_USER_TOKEN: 'stand-in-system-user-token',
        META_PAGE_ACCESS_TOKEN: 'stand-in-page-token',
        META_APP_ID: APP,
        POWERTOOLS_LOG_LEVEL: 'SILENT',
        SWITCHBOARD_TEST_CLOCK_AHEAD_MS: String(clockAheadMs),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
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

const recipientOf = (query: Record<string, string>) =>
  (JSON.parse(query.recipient?.startsWith('{') ? query.recipient : '{}') as { id?: string }).id ??
  query.recipient;

const takes = (userId: string) =>
  graph.calls(`POST /${PAGE}/take_thread_control`).filter((call) => recipientOf(call.query) === userId);

const take = (url: string, userId: string, key?: string) =>
  fetch(`${url}/v1/threads/${PAGE}/${userId}/take`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key === undefined ? {} : { 'idempotency-key': key }) },
    body: '{}',
  });

describe('a crash while Meta holds a take, then a retry', () => {
  it('settles by reading thread_owner first: no second POST when Meta took it, one when it did not', async () => {
    // Prepare: Meta holds every first take; afterwards it answers at once. It took the thread for two of the
    // three users (thread_owner names our app), not for the third (idle).
    graph.on(`POST /${PAGE}/take_thread_control`, async (request): Promise<FakeReply> => {
      if (takes(recipientOf(request.query) ?? '').length === 1)
        await new Promise<void>((resolve) => releases.push(resolve));
      return { body: { success: true } };
    });
    graph.on(`GET /${PAGE}/thread_owner`, (request) =>
      request.query.recipient === NOT_TAKEN
        ? { body: { data: [] } }
        : { body: { data: [{ thread_owner: { app_id: APP } }] } },
    );
    const first = await start(0);
    const inFlight = [
      take(first, TAKEN_WITH_KEY, 'take-with-key'),
      take(first, TAKEN_WITHOUT_KEY),
      take(first, NOT_TAKEN, 'take-not-taken'),
    ].map((answer) => answer.catch(() => undefined));
    while (graph.calls(`POST /${PAGE}/take_thread_control`).length < 3)
      await new Promise((resolve) => setTimeout(resolve, 20));

    // Act: kill -9 while Meta holds all three; restart past the lease; retry (and a new request without a key)
    child?.kill('SIGKILL');
    await Promise.all(inFlight);
    const second = await start(40_000);
    const retriedWithKey = await take(second, TAKEN_WITH_KEY, 'take-with-key');
    const newWithoutKey = await take(second, TAKEN_WITHOUT_KEY);
    const retriedNotTaken = await take(second, NOT_TAKEN, 'take-not-taken');
    const bodies = await Promise.all(
      [retriedWithKey, newWithoutKey, retriedNotTaken].map(async (answer) => ({
        status: answer.status,
        ownerAppId: ((await answer.json()) as { ownerAppId?: unknown }).ownerAppId,
      })),
    );
    child?.kill('SIGKILL');

    // Assess
    expect(bodies).toEqual([
      { status: 200, ownerAppId: APP },
      { status: 200, ownerAppId: APP },
      { status: 200, ownerAppId: APP },
    ]);
    expect(takes(TAKEN_WITH_KEY)).toHaveLength(1);
    expect(takes(TAKEN_WITHOUT_KEY)).toHaveLength(1);
    expect(takes(NOT_TAKEN)).toHaveLength(2);
  });
});
