import { describe, expect, it } from 'vitest';
import { ActionGuard } from '../../shared/platform/http/action-guard.js';
import type { HttpApiEvent } from '../../shared/platform/http/types.js';
import { useLocalTables } from '../support/dynamo.js';

/** The guard over a real control table (dynalite), with requests built as API Gateway would. */
const tables = useLocalTables();

const request = (key: string, body: string | undefined): HttpApiEvent => ({
  routeKey: 'POST /v1/threads/{pageId}/{userId}/take',
  rawPath: '/v1/threads/1/2/take',
  headers: { 'idempotency-key': key, 'content-type': 'application/json' },
  isBase64Encoded: false,
  requestContext: { requestId: 'r', http: { method: 'POST', path: '/v1/threads/1/2/take' } },
  ...(body === undefined ? {} : { body }),
});

const answer = (text: string) => async () => ({ statusCode: 200, body: text });

describe('Idempotency-Key: the same request is the same JSON, not the same bytes', () => {
  it('{} and { } and no body at all are one request: the first answer is replayed, no 422', async () => {
    // Prepare
    const guard = new ActionGuard(tables.control);
    let runs = 0;
    const run = async () => {
      runs += 1;
      return answer('{"first":true}')();
    };

    // Act
    const first = await guard.perform(request('same-json-1', '{}'), 'thread#1#2', run);
    const spaced = await guard.perform(request('same-json-1', '{ }'), 'thread#1#2', run);
    const empty = await guard.perform(request('same-json-1', undefined), 'thread#1#2', run);
    const reordered = [
      await guard.perform(request('same-json-2', '{"a":1,"b":[1,2]}'), 'thread#1#2', run),
      await guard.perform(request('same-json-2', '{ "b": [1, 2], "a": 1 }'), 'thread#1#2', run),
    ];

    // Assess
    expect(first.body).toBe('{"first":true}');
    expect([spaced.statusCode, spaced.body]).toEqual([200, first.body]);
    expect([empty.statusCode, empty.body]).toEqual([200, first.body]);
    expect(reordered.map((each) => each.statusCode)).toEqual([200, 200]);
    expect(runs).toBe(2);
  });

  it('another JSON value under the same key is still a 422', async () => {
    const guard = new ActionGuard(tables.control);
    await guard.perform(request('other-json', '{"metadata":"a"}'), 'thread#1#3', answer('{}'));
    await expect(
      guard.perform(request('other-json', '{"metadata":"b"}'), 'thread#1#3', answer('{}')),
    ).rejects.toMatchObject({ status: 422, code: 'idempotency_key_reused' });
  });
});
