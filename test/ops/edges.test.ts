import { request as httpRequest } from 'node:http';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it, vi } from 'vitest';
import { FIXTURES } from '../../fixtures/deliveries.js';
import { FileArchive } from '../../local/file-archive.js';
import { MAX_CHANGES_PER_DELIVERY } from '../../shared/app/intake/split.js';
import { composeIntake } from '../../shared/app/roots/webhook.js';
import { createWebhookHandler } from '../../shared/app/webhook/handle-webhook.js';
import { NotFoundError } from '../../shared/kernel/errors.js';
import { GraphClient, graphPath } from '../../shared/platform/graph/client.js';
import { userRef } from '../../shared/platform/http/http-errors.js';
import type { HttpResult } from '../../shared/platform/http/types.js';
import { Telemetry } from '../../shared/platform/observability/telemetry.js';
import { httpLambda } from '../../shared/platform/runtime/lambda.js';
import { jsonSecretSource, parseMetaSecrets } from '../../shared/platform/secrets/meta-secrets.js';
import { useFakeGraph } from '../support/fake-graph.js';
import { captureOutput, context, httpEvent } from '../support/lambda.js';
import { postSigned, useLocalStackWithGraph } from '../support/local-stack.js';

const SECRET = 'edges-app-secret';
const PAGE = '1029384756102938';
const PSID = '5647382910564738';
// A real Graph stand-in (not the sandbox) records every call local mode makes to Meta.
const graph = useFakeGraph();
const local = useLocalStackWithGraph(graph, { META_APP_SECRET: SECRET });

const call = async (
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) => {
  const response = await fetch(`${local.stack.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text) as Record<string, unknown> };
};

describe('hostile IDs never reach Meta or DynamoDB', () => {
  it.each([
    [
      'a Graph path injected through the page ID',
      'POST',
      `/v1/threads/me%2Ffeed%3Fmessage%3Dx%23/${PSID}/take`,
    ],
    ['a climb out of the API version', 'POST', `/v1/threads/..%2F..%2Fme/${PSID}/take`],
    ['the page-roles sort key as a user ID', 'GET', `/v1/threads/${PAGE}/%23page`],
    ['malformed percent-encoding', 'GET', '/v1/solutions/%E0%A4%A'],
    ['an ID over the length limit', 'GET', `/v1/wabas/${'9'.repeat(2_000)}`],
    ['a prototype key', 'POST', `/v1/solutions/__proto__/accept`],
    ['a number Graph would misread', 'GET', '/v1/wabas/1e400'],
    ['a query ID that is not one', 'GET', '/v1/wabas?solutionId=abc'],
  ])('%s answers 400 with a JSON error, and Meta sees no call', async (_name, method, path) => {
    const response = await call(method as 'GET' | 'POST', path);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: 'bad_request', message: expect.any(String) });
    expect(graph.requests).toHaveLength(0);
  });

  it('body IDs are checked too: a target app that is not an ID is a 400 before any call', async () => {
    const response = await call('POST', `/v1/threads/${PAGE}/${PSID}/pass`, { targetAppId: '../me' });
    expect(response.status).toBe(400);
    expect(graph.requests).toHaveLength(0);
  });

  it('forged and altered cursors and bad limits answer 400, never a DynamoDB error', async () => {
    const forge = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const cursor of [
      'not-a-cursor!',
      forge({ solutionId: { S: 'x' } }),
      forge({ solutionId: 'abc' }),
      forge({ solutionId: '1', extra: '2' }),
      forge({ index: 7 }),
      forge({ index: 0, inner: forge({ solutionId: '999', wabaId: '1' }) }),
      'A'.repeat(5_000),
    ]) {
      const solutions = await call('GET', `/v1/solutions?cursor=${encodeURIComponent(cursor)}`);
      const wabas = await call(
        'GET',
        `/v1/wabas?solutionId=303610109049230&cursor=${encodeURIComponent(cursor)}`,
      );
      expect([solutions.status, wabas.status], cursor).toEqual([400, 400]);
    }
    for (const limit of ['0', '101', '-1', '1.5', 'ten', '1e2', '0x10', '%205', '5%20'])
      expect((await call('GET', `/v1/solutions?limit=${limit}`)).status).toBe(400);
  });
});

describe('the Graph client itself', () => {
  it('builds paths from checked segments and refuses anything that leaves its version', async () => {
    expect(graphPath('303610109049230', 'accept')).toBe('/303610109049230/accept');
    for (const bad of ['..', '.', 'me/feed', 'x?y=1', 'a#b', '%2F', ''])
      expect(() => graphPath(bad), bad).toThrow();
    const client = new GraphClient({ baseUrl: graph.base, token: async () => 't' });
    for (const path of ['/../me', '/a/../../x', '/me?x=1', 'https://graph.facebook.com/v26.0/1', '/%2e%2e/x'])
      await expect(client.request({ path }), path).rejects.toThrow(/refusing/);
    expect(graph.requests).toHaveLength(0);
  });
});

describe('deliveries', () => {
  it(`refuses a signed delivery of more than ${MAX_CHANGES_PER_DELIVERY} changes before queueing anything`, async () => {
    const before = local.stack.queues.accepted;
    const body = JSON.stringify({
      object: 'page',
      entry: [{ id: PAGE, time: 1, messaging: Array(MAX_CHANGES_PER_DELIVERY + 1).fill({}) }],
    });
    const response = await postSigned(local.stack.url, body, SECRET);
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: 'too_many_changes' });
    expect(local.stack.queues.accepted).toBe(before);
  });

  it('counts entries that hold no change too: 5,001 empty entries are refused, not waved through', async () => {
    const before = local.stack.queues.sendCalls;
    const entry = { id: PAGE, time: 1, changes: [], messaging: [] };
    const body = JSON.stringify({
      object: 'page',
      entry: Array(MAX_CHANGES_PER_DELIVERY + 1).fill(entry),
    });
    const response = await postSigned(local.stack.url, body, SECRET);
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: 'too_many_changes' });
    expect(local.stack.queues.sendCalls).toBe(before);
  });

  it('a waba_id that is not an ID is an invalid event (DLQ), never our own portfolio recorded as a customer', async () => {
    const delivery = structuredClone(FIXTURES['partner-added']?.body) as {
      entry: { id: string; changes: { value: { waba_info: { waba_id: unknown } } }[] }[];
    };
    const change = delivery.entry[0]?.changes[0];
    if (change === undefined) throw new Error('fixture shape');
    const body = JSON.stringify(delivery).replace('"102290129340398"', '1e400');
    expect((await postSigned(local.stack.url, body, SECRET)).status).toBe(200);
    await local.stack.drain();
    expect((await call('GET', `/v1/wabas/${delivery.entry[0]?.id}`)).status).toBe(404);
    const dlq = local.stack.queues.get('wabas').dlq?.peek() ?? [];
    expect(dlq.at(-1)?.attributes.reason).toContain('waba_info.waba_id');
  });
});

describe('local mode refuses browsers', () => {
  const raw = (path: string, headers: Record<string, string>) =>
    new Promise<number>((resolve, reject) => {
      const url = new URL(local.stack.url);
      const request = httpRequest(
        { host: url.hostname, port: url.port, path, method: 'GET', headers },
        (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        },
      );
      request.on('error', reject);
      request.end();
    });

  it('answers 403 to /v1 and /local with an Origin or a non-loopback Host, and serves the CLI as before', async () => {
    expect(await raw('/v1/solutions', { origin: 'https://evil.example' })).toBe(403);
    expect(await raw('/local/queues', { origin: 'null' })).toBe(403);
    expect(await raw('/v1/solutions', { host: 'evil.example' })).toBe(403);
    expect(await raw('/v1/solutions', { host: 'attacker.127.0.0.1.nip.io:3000' })).toBe(403);
    // A cross-site GET (an <img> or a link) carries no Origin, but every current browser says where it came from.
    expect(await raw('/v1/solutions', { 'sec-fetch-site': 'cross-site' })).toBe(403);
    expect(await raw('/local/queues', { 'sec-fetch-site': 'same-site' })).toBe(403);
    expect(await raw('/v1/solutions', { 'sec-fetch-site': 'none' })).toBe(200);
    expect(await raw('/v1/solutions', { host: 'localhost:3000' })).toBe(200);
    expect(await raw('/v1/solutions', {})).toBe(200);
    expect(await raw('/healthz', { origin: 'https://evil.example' })).toBe(200);
  });

  it('judges the host a request names in its target (absolute form, as proxies send), not only the Host header', async () => {
    expect(await raw('http://evil.example/v1/solutions', {})).toBe(403);
    expect(await raw('http://user:pass@evil.example/local/queues', {})).toBe(403);
    expect(await raw(`http://127.0.0.1:${new URL(local.stack.url).port}/v1/solutions`, {})).toBe(200);
  });

  it.each(['//[', 'http://[', 'http://127.0.0.1:99999/v1/solutions'])(
    'answers 400, not 500, to a request target that is not a URL (%s)',
    async (target) => {
      expect(await raw(target, {})).toBe(400);
    },
  );
});

describe('local routes', () => {
  it.each(['constructor', 'hasownproperty', 'tostring'])(
    'a queue named like an object property (%s) is a 404, not a crash',
    async (name) => {
      for (const [method, action] of [
        ['GET', 'messages'],
        ['POST', 'redrive'],
      ] as const) {
        const response = await call(method, `/local/queues/${name}/${action}`);
        expect(response.status, `${method} ${action}`).toBe(404);
        expect(response.body).toMatchObject({ error: 'not_found' });
      }
    },
  );
});

describe('logs', () => {
  it('never name a PSID at INFO or WARN: a refused thread request logs a hash of it', async () => {
    // Prepare: an HTTP function whose handler refuses with the PSID in its message, logging at INFO
    const telemetry = new Telemetry('actions');
    telemetry.logger.setLogLevel('INFO');
    const handler = httpLambda(telemetry, async () => {
      throw new NotFoundError(`nothing is known about thread ${PAGE}/${PSID}`);
    });
    const event = httpEvent({
      method: 'GET',
      path: `/v1/threads/${PAGE}/${PSID}`,
      routeKey: 'GET /v1/threads/{pageId}/{userId}',
      pathParameters: { pageId: PAGE, userId: PSID },
    });

    // Act
    const { result, output } = await captureOutput(
      async () => (await handler(event, context())) as HttpResult,
    );

    // Assess: the caller hears its ID; the log line does not
    expect(result.statusCode).toBe(404);
    expect(result.body).toContain(PSID);
    expect(output).toContain('request refused');
    expect(output).not.toContain(PSID);
    expect(output).toContain(userRef(PSID));
  });

  it('never name a PSID that arrived percent-encoded, nor one inside the cause of an error', async () => {
    // Prepare: the path holds the PSID with an encoded first digit; the error and its cause name it decoded
    const telemetry = new Telemetry('actions');
    telemetry.logger.setLogLevel('INFO');
    const handler = httpLambda(telemetry, async () => {
      throw Object.assign(new NotFoundError(`nothing is known about thread ${PAGE}/${PSID}`), {
        cause: new Error(`recipient ${PSID} not found`),
      });
    });
    const event = httpEvent({
      method: 'GET',
      path: `/v1/threads/${PAGE}/%3${PSID}`,
      routeKey: 'GET /v1/threads/{pageId}/{userId}',
      pathParameters: { pageId: PAGE, userId: `%3${PSID}` },
    });

    // Act
    const { result, output } = await captureOutput(
      async () => (await handler(event, context())) as HttpResult,
    );

    // Assess
    expect(result.statusCode).toBe(404);
    expect(output).toContain('request refused');
    expect(output).not.toContain(PSID);
    expect(output).toContain(userRef(PSID));
  });
});

describe('dependency failures', () => {
  it('answer 503 to unauthenticated callers without the AWS error (ARNs, account) that caused them; the logs keep it', async () => {
    // Prepare: the secret source the webhook function builds, over a Secrets Manager that refuses, naming
    // the role, the secret and the account
    const awsText =
      'User: arn:aws:sts::123456789012:assumed-role/SwitchboardWebhookRole/x is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:eu-west-1:123456789012:secret:MetaSecret-AbCdEf';
    const secretsManager = mockClient(SecretsManagerClient);
    secretsManager.on(GetSecretValueCommand).rejects(
      Object.assign(new Error(awsText), {
        name: 'AccessDeniedException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    // The level a function starts with (each warm invocation returns to it): INFO, as deployed.
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
    const telemetry = new Telemetry('webhook');
    vi.unstubAllEnvs();
    const handler = createWebhookHandler({
      secrets: jsonSecretSource(
        new SecretsProvider({ awsSdkV3Client: new SecretsManagerClient({ region: 'eu-west-1' }) }),
        'arn:aws:secretsmanager:eu-west-1:123456789012:secret:MetaSecret-AbCdEf',
        300,
        parseMetaSecrets,
      ),
      intake: composeIntake({
        sink: { sendBatch: async () => ({ failed: [] }) },
        claims: { put: async () => undefined },
      }),
      archive: new FileArchive(),
      telemetry,
    });

    // Act
    const { result: answers, output } = await captureOutput(() =>
      Promise.all(
        [
          httpEvent({ method: 'GET', path: '/healthz' }),
          httpEvent({ method: 'GET', path: '/webhook', query: { 'hub.mode': 'subscribe' } }),
          httpEvent({ method: 'POST', path: '/webhook', body: '{}' }),
        ].map(async (event) => (await handler(event, context())) as HttpResult),
      ),
    );
    secretsManager.restore();

    // Assess: a generic answer to the caller, the whole story for the operator
    for (const answer of answers) {
      expect(answer.statusCode).toBe(503);
      expect(JSON.parse(answer.body)).toMatchObject({ error: 'dependency_unavailable' });
      expect(answer.body).not.toMatch(/arn:|123456789012|AccessDenied|assumed-role|MetaSecret/);
    }
    expect(output).toContain('request failed');
    expect(output).toContain('assumed-role/SwitchboardWebhookRole');
  });
});
