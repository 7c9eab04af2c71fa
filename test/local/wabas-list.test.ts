import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixtureNames } from '../../fixtures/deliveries.js';
import { getJson, useLocalStack } from '../support/local-stack.js';

const run = promisify(execFile);
const local = useLocalStack();

/** A CLI in its own process, as a user runs it. */
const cli = async (script: string, ...args: string[]) => {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', script, ...args]);
  return stdout;
};

type WabaPage = { items: { wabaId: string; solutionId: string | null }[]; nextCursor: string | null };

/** Every page of a listing, following its cursors. */
const allPages = async (query: string): Promise<WabaPage[]> => {
  const pages: WabaPage[] = [];
  let cursor: string | null = null;
  do {
    const suffix: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
    const { status, body } = await getJson(`${local.stack.url}/v1/wabas?${query}${suffix}`);
    expect(status).toBe(200);
    pages.push(body as WabaPage);
    cursor = (body as WabaPage).nextCursor;
  } while (cursor !== null);
  return pages;
};

beforeAll(async () => {
  // The sandbox's five customer WABAs, recorded by a reconciliation.
  expect((await fetch(`${local.stack.url}/v1/reconcile`, { method: 'POST' })).status).toBe(200);
});

describe('GET /v1/wabas', () => {
  it('without solutionId lists every WABA, a page at a time, each once', async () => {
    const pages = await allPages('limit=2');
    const ids = pages.flatMap((page) => page.items.map((waba) => waba.wabaId));
    expect(pages.length).toBeGreaterThanOrEqual(3);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual([
      '102290129340398',
      '112077945305052',
      '118453277124469',
      '120399918844556',
      '127766554433221',
    ]);
  });

  it('with solutionId lists that solution’s WABAs only, as before', async () => {
    const ids = (await allPages('solutionId=17602267745700&limit=2')).flatMap((page) =>
      page.items.map((waba) => waba.wabaId),
    );
    expect([...ids].sort()).toEqual(['112077945305052', '118453277124469', '120399918844556']);
  });

  it('refuses a solutionId that is not an ID, and a cursor of the other listing', async () => {
    expect((await getJson(`${local.stack.url}/v1/wabas?solutionId=abc`)).status).toBe(400);
    expect((await getJson(`${local.stack.url}/v1/wabas?solutionId=`)).status).toBe(400);
    const [bySolution] = await allPages('solutionId=17602267745700&limit=1');
    const cursor = encodeURIComponent(bySolution?.nextCursor ?? '');
    expect((await getJson(`${local.stack.url}/v1/wabas?cursor=${cursor}`)).status).toBe(400);
  });
});

describe('the CLI', () => {
  it('`wabas list` without --solution lists every WABA', async () => {
    const out = await cli('cli/switchboard.ts', 'wabas', 'list', '--url', local.stack.url);
    expect(out.match(/^WABA \d+/gm)).toHaveLength(5);
  });

  it('`trigger --list` prints the fixtures and nothing else', async () => {
    const lines = (await cli('cli/trigger.ts', '--list')).trim().split('\n');
    expect(lines.map((line) => line.split(/\s+/)[0])).toEqual(fixtureNames());
  });
});
