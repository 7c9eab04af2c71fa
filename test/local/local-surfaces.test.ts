import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { FIXTURES } from '../../fixtures/deliveries.js';
import { deliver, readJson } from '../support/corpus.js';
import { useLocalStack } from '../support/local-stack.js';

/**
 * Local mode's own surfaces beside `/v1`: the event bus's paging reads its parameters as strictly as the `/v1`
 * cursors do, and its other listeners (dynalite, the sandbox Graph API) serve only local mode itself, never a
 * web page that found their port (DNS rebinding: a rebound name arrives with its own `Host`).
 */
const local = useLocalStack();

/** A raw request with the headers a browser would send (fetch will not let a test set `Host`). */
const rawGet = (url: string, headers: Record<string, string>, method = 'GET', body = '') =>
  new Promise<number>((resolve, reject) => {
    const target = new URL(url);
    const outgoing = request(
      {
        host: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method,
        headers,
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });

describe('GET /local/events pages like the /v1 lists', () => {
  it('honours limit, and answers next as the position after the page', async () => {
    // Prepare: three events (three solutions created)
    for (const solutionId of ['941000000000001', '941000000000002', '941000000000003']) {
      const body = JSON.parse(JSON.stringify(FIXTURES['solution-created']?.body)) as {
        entry: { changes: { value: { solution_id: string } }[] }[];
      };
      const [change] = body.entry[0]?.changes ?? [];
      if (change !== undefined) change.value.solution_id = solutionId;
      await deliver(local.stack, body);
    }
    await local.stack.drain();
    const total = local.stack.events.items.length;

    // Act
    const first = await readJson(local.stack, '/local/events?after=0&limit=2');
    const rest = await readJson(local.stack, `/local/events?after=${String(first.body.next)}&limit=2`);

    // Assess
    expect(total).toBeGreaterThanOrEqual(3);
    expect(first).toMatchObject({ status: 200, body: { next: 2 } });
    expect(first.body.items).toHaveLength(2);
    expect(rest.body.next).toBe(Math.min(total, 4));
  });

  it('refuses a malformed after or limit with 400, as the /v1 cursors do', async () => {
    for (const query of [
      'after=abc',
      'after=-5',
      'after=0x10',
      'after=1e3',
      'after=',
      'limit=0',
      'limit=1e2',
    ]) {
      const answer = await readJson(local.stack, `/local/events?${query}`);
      expect(answer.status, query).toBe(400);
      expect(answer.body.error, query).toBe('bad_request');
    }
  });
});

describe("local mode's other listeners serve local mode only", () => {
  it('dynalite refuses a request with a foreign Host or an Origin; the SDK (loopback Host) still works', async () => {
    const { endpoint } = local.stack.dynamo;
    const port = new URL(endpoint).port;
    const listTables = (headers: Record<string, string>) =>
      rawGet(
        endpoint,
        {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': 'DynamoDB_20120810.ListTables',
          // dynalite checks a signature's form, never its value: a page can forge one.
          authorization:
            'AWS4-HMAC-SHA256 Credential=any/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=00',
          'x-amz-date': '20240101T000000Z',
          ...headers,
        },
        'POST',
        '{}',
      );

    expect(await listTables({ host: `rebound.example:${port}` })).toBe(403);
    expect(await listTables({ host: `127.0.0.1:${port}`, origin: 'http://rebound.example' })).toBe(403);
    expect(await listTables({ host: `127.0.0.1:${port}` })).toBe(200);
    expect(await readJson(local.stack, '/v1/solutions')).toMatchObject({ status: 200 });
  });

  it('the sandbox Graph API refuses a foreign Host or an Origin', async () => {
    const base = local.stack.sandboxUrl ?? '';
    const port = new URL(base).port;
    const url = `${base}/${local.stack.env.META_APP_ID}/whatsapp_business_solutions`;
    const auth = { authorization: `Bearer ${local.stack.env.META_SYSTEM_USER_TOKEN}` };

    expect(await rawGet(url, { ...auth, host: `rebound.example:${port}` })).toBe(403);
    expect(await rawGet(url, { ...auth, host: `localhost:${port}`, origin: 'http://rebound.example' })).toBe(
      403,
    );
    expect(await rawGet(url, { ...auth, host: `127.0.0.1:${port}` })).toBe(200);
  });
});
