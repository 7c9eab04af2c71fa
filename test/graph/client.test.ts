import { type AddressInfo, createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { GraphClient } from '../../shared/platform/graph/client.js';
import {
  GraphApiError,
  GraphAuthError,
  GraphBudgetExhaustedError,
  GraphOutcomeUnknownError,
} from '../../shared/platform/graph/errors.js';
import { graphError, useFakeGraph } from '../support/fake-graph.js';

const graph = useFakeGraph();

const client = (overrides: Partial<ConstructorParameters<typeof GraphClient>[0]> = {}) => {
  const sleeps: number[] = [];
  const tokens: boolean[] = [];
  const instance = new GraphClient({
    baseUrl: graph.base,
    token: async (force) => {
      tokens.push(force);
      return force ? 'fresh-token' : 'cached-token';
    },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 1,
    ...overrides,
  });
  return { instance, sleeps, tokens };
};

describe('Graph API client', () => {
  it('sends the bearer token and returns the body', async () => {
    graph.on('GET /123', { body: { id: '123' } });
    const { instance } = client();
    expect(await instance.request({ path: '/123', query: { fields: 'id' } })).toEqual({ id: '123' });
    expect(graph.requests[0]).toMatchObject({
      authorization: 'Bearer cached-token',
      query: { fields: 'id' },
    });
  });

  it.each([
    ['HTTP 500', { status: 500, body: {} }],
    ['HTTP 429', { status: 429, body: {} }],
    ['code 1', graphError(1, 'unknown')],
    ['code 2', graphError(2, 'service')],
    ['code 4', graphError(4, 'app limit')],
    ['code 17', graphError(17, 'user limit')],
    ['code 32', graphError(32, 'page limit')],
    ['code 613', graphError(613, 'hourly limit')],
    ['code 80007', graphError(80007, 'WhatsApp BUC limit')],
    ['code 80008 (business use case family)', graphError(80008, 'BUC')],
    ['a connection reset', { reset: true }],
  ])('retries %s with backoff, then succeeds', async (_name, failure) => {
    graph.on('GET /x', failure, { body: { ok: true } });
    const { instance, sleeps } = client();
    expect(await instance.request({ path: '/x' })).toEqual({ ok: true });
    expect(instance.stats).toEqual({ requests: 2, retries: 1 });
    expect(sleeps).toEqual([500]);
  });

  it.each([
    ['HTTP 500', { status: 500, body: {} }],
    ['code 1 (unknown error)', graphError(1, 'unknown', {}, 500)],
    ['code 2 (service unavailable)', graphError(2, 'service', {}, 503)],
    ['a connection reset', { reset: true }],
  ])('never sends a POST again after %s: Meta may have acted', async (_name, failure) => {
    graph.on('POST /x/accept', failure, { body: { success: true } });
    const { instance } = client();
    await expect(instance.request({ method: 'POST', path: '/x/accept' })).rejects.toBeInstanceOf(
      GraphOutcomeUnknownError,
    );
    expect(graph.calls('POST /x/accept')).toHaveLength(1);
  });

  it.each([
    ['HTTP 429', { status: 429, body: {} }],
    ['code 4 (app limit)', graphError(4, 'app limit')],
    ['code 80007 (WhatsApp BUC limit)', graphError(80007, 'BUC')],
  ])('sends a POST again after %s: Meta refused it before acting', async (_name, failure) => {
    graph.on('POST /x/accept', failure, { body: { success: true } });
    const { instance } = client();
    expect(await instance.request({ method: 'POST', path: '/x/accept' })).toEqual({ success: true });
    expect(graph.calls('POST /x/accept')).toHaveLength(2);
  });

  it('sends a POST again when no connection was made, and reads {"success": false} as a refusal', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const refused = client({ baseUrl: `http://127.0.0.1:${port}/v26.0`, maxAttempts: 2 });
    await expect(refused.instance.request({ method: 'POST', path: '/x/accept' })).rejects.toBeInstanceOf(
      GraphApiError,
    );
    expect(refused.instance.stats.requests).toBe(2);
    graph.on('POST /x/accept', { body: { success: false } });
    await expect(client().instance.request({ method: 'POST', path: '/x/accept' })).rejects.toMatchObject({
      status: 502,
      graph: { message: expect.stringContaining('"success": false') },
    });
  });

  it('caps the exponential backoff', async () => {
    graph.on('GET /x', { status: 503 });
    const { instance, sleeps } = client({ maxAttempts: 8, maxDelayMs: 4_000 });
    await expect(instance.request({ path: '/x' })).rejects.toBeInstanceOf(GraphApiError);
    expect(sleeps).toEqual([500, 1_000, 2_000, 4_000, 4_000, 4_000, 4_000]);
  });

  it('honours estimated_time_to_regain_access from X-Business-Use-Case-Usage', async () => {
    const usage = {
      '506914307656634': [{ type: 'whatsapp', call_count: 100, estimated_time_to_regain_access: 2 }],
    };
    graph.on(
      'GET /x',
      { ...graphError(80007, 'throttled'), headers: { 'x-business-use-case-usage': JSON.stringify(usage) } },
      { body: {} },
    );
    const { instance, sleeps } = client();
    await instance.request({ path: '/x' });
    expect(sleeps).toEqual([120_000]);
  });

  it('stops with a budget error instead of waiting past the deadline', async () => {
    const usage = { b: [{ estimated_time_to_regain_access: 30 }] };
    graph.on('GET /x', {
      ...graphError(80007, 'throttled'),
      headers: { 'x-business-use-case-usage': JSON.stringify(usage) },
    });
    const { instance, sleeps } = client({ deadline: Date.now() + 60_000 });
    await expect(instance.request({ path: '/x' })).rejects.toBeInstanceOf(GraphBudgetExhaustedError);
    expect(sleeps).toEqual([]);
  });

  it('on code 190 reads the secret again once, then fails loudly', async () => {
    graph.on('GET /x', graphError(190, 'Error validating access token', {}, 401));
    const { instance, tokens } = client();
    const error = await instance.request({ path: '/x' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GraphAuthError);
    expect(tokens).toEqual([false, true]);
    expect(graph.requests.map((request) => request.authorization)).toEqual([
      'Bearer cached-token',
      'Bearer fresh-token',
    ]);
  });

  it('recovers when the re-read token works', async () => {
    graph.on('GET /x', graphError(190, 'expired', {}, 401), { body: { ok: 1 } });
    const { instance } = client();
    expect(await instance.request({ path: '/x' })).toEqual({ ok: 1 });
  });

  it('surfaces any other error with message, code, subcode, type and fbtrace_id, without retrying', async () => {
    graph.on('POST /x/accept', graphError(100, 'Invalid parameter', { error_subcode: 2388098 }));
    const { instance } = client();
    const error = (await instance
      .request({ method: 'POST', path: '/x/accept' })
      .catch((caught: unknown) => caught)) as GraphApiError;
    expect(error.graph).toEqual({
      message: 'Invalid parameter',
      code: 100,
      error_subcode: 2388098,
      type: 'OAuthException',
      fbtrace_id: 'trace-100',
    });
    expect(error.message).toContain('fbtrace_id trace-100');
    expect(graph.requests).toHaveLength(1);
  });

  it('refuses a success answer that is not a JSON object (a proxy page) without retrying: a 502, never read as data', async () => {
    graph.on('POST /123/accept', { body: '<html>bad gateway</html>' });
    const { instance } = client();
    const failure = instance.request({ method: 'POST', path: '/123/accept' });
    await expect(failure).rejects.toBeInstanceOf(GraphApiError);
    await expect(failure).rejects.toMatchObject({ status: 502, httpStatus: 200 });
    expect(instance.stats).toEqual({ requests: 1, retries: 0 });
  });

  it('follows paging.next until it is absent, even after a short page', async () => {
    graph.on(
      'GET /list',
      (_request, base) => ({ body: { data: [1, 2], paging: { next: `${base}/list?after=a` } } }),
      (_request, base) => ({ body: { data: [3], paging: { next: `${base}/list?after=b` } } }),
      { body: { data: [4, 5], paging: {} } },
    );
    const { instance } = client();
    const pages: number[][] = [];
    for await (const page of instance.pages<number>('/list', { limit: '2' })) pages.push(page);
    expect(pages).toEqual([[1, 2], [3], [4, 5]]);
    expect(graph.requests.map((request) => request.query.after)).toEqual([undefined, 'a', 'b']);
  });

  it('refuses a paging link to another host, so the token stays with Meta', async () => {
    graph.on('GET /list', { body: { data: [], paging: { next: 'https://attacker.example/steal' } } });
    const { instance } = client();
    const pages = instance.pages('/list');
    await pages.next();
    await expect(pages.next()).rejects.toThrow(/refusing to follow/);
  });
});
