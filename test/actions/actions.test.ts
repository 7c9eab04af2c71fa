import { ScanCommand } from '@aws-sdk/client-dynamodb';
import type { SQSBatchResponse } from 'aws-lambda';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryDeadLetters } from '../../local/dead-letters.js';
import { localContext } from '../../local/lambda-context.js';
import { MemorySecretStore } from '../../local/secret-store.js';
import { composeOnboarding } from '../../shared/app/onboarding.js';
import { createActionsHandler } from '../../shared/app/roots/actions.js';
import { readOnboardingSettings } from '../../shared/domains/onboarding/config.js';
import { SolutionActions } from '../../shared/domains/solutions/actions.js';
import { decodeSolutionChange } from '../../shared/domains/solutions/decode.js';
import { ThreadActions } from '../../shared/domains/threads/actions.js';
import { decodeHandover } from '../../shared/domains/threads/decode.js';
import { applyThreadEvent, type ThreadEvent } from '../../shared/domains/threads/thread.js';
import { wabasConsumer } from '../../shared/domains/wabas/consumer.js';
import { WhatsappThreadActions } from '../../shared/domains/whatsapp-threads/actions.js';
import { EnvReader } from '../../shared/platform/config/env.js';
import { createConsumerHandler } from '../../shared/platform/consumers/consumer.js';
import { GraphClient } from '../../shared/platform/graph/client.js';
import type { HttpResult } from '../../shared/platform/http/types.js';
import { Telemetry } from '../../shared/platform/observability/telemetry.js';
import { RegisterTable } from '../../shared/platform/store/register-table.js';
import { consumerPorts } from '../support/consumer-ports.js';
import { useLocalTables } from '../support/dynamo.js';
import { envelopesOf, fixtureEnvelope } from '../support/envelopes.js';
import { type FakeReply, graphError, useFakeGraph } from '../support/fake-graph.js';
import { captureOutput, context, httpEvent } from '../support/lambda.js';
import { sqsEvent } from '../support/sqs.js';
import { held } from '../support/waiting.js';

const graph = useFakeGraph();
const clock = { now: 1_800_000_000_000 };
const tables = useLocalTables(() => clock.now);
const APP = '21202248997039';
const PAGE = '1029384756102938';
const SYSTEM_TOKEN = 'system-user-token';
const PAGE_TOKEN = 'page-access-token';
let store: MemorySecretStore;
const deadLetters = new MemoryDeadLetters();

const handler = () => {
  const client = new GraphClient({
    baseUrl: graph.base,
    token: async () => SYSTEM_TOKEN,
    sleep: async () => undefined,
    maxAttempts: 2,
  });
  store = new MemorySecretStore();
  const businessTokens = {
    graph: client,
    wabas: tables.wabas,
    store,
    secretPrefix: 'switchboard/business-tokens/',
    control: tables.control,
    now: () => clock.now,
  };
  return createActionsHandler({
    solutions: new SolutionActions({ graph: client, solutions: tables.solutions, now: () => clock.now }),
    threads: new ThreadActions({
      graph: client,
      threads: tables.threads,
      pageTokens: { get: async () => ({ [PAGE]: PAGE_TOKEN }) },
      appId: APP,
      now: () => clock.now,
    }),
    whatsappThreads: new WhatsappThreadActions({
      graph: client,
      threads: tables.whatsappThreads,
      now: () => clock.now,
    }),
    businessTokens,
    onboarding: composeOnboarding({
      graph: client,
      wabas: new RegisterTable(tables.dynamo.client, tables.dynamo.tableNames.wabas),
      control: tables.control,
      secrets: store,
      metaSecrets: {
        get: async () => ({
          appSecret: '',
          appSecretPrevious: undefined,
          verifyToken: 'v',
          systemUserToken: SYSTEM_TOKEN,
        }),
      },
      settings: readOnboardingSettings(new EnvReader({})),
      identity: { appId: APP, businessId: '506914307656634' },
      businessTokens,
      telemetry: new Telemetry('actions'),
      now: () => clock.now,
    }),
    control: tables.control,
    now: () => clock.now,
    telemetry: new Telemetry('actions'),
    deadLetters,
  });
};

const call = async (
  method: 'GET' | 'POST',
  routeKey: string,
  pathParameters: Record<string, string>,
  body?: unknown,
  query?: Record<string, string>,
) => {
  clock.now += 1; // each call is a later instant, as real round trips are
  const path = Object.entries(pathParameters).reduce(
    (acc, [name, value]) => acc.replace(`{${name}}`, value),
    routeKey.split(' ')[1] ?? '',
  );
  const response = (await handler()(
    httpEvent({
      method,
      path,
      routeKey,
      pathParameters,
      ...(query ? { query } : {}),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
    context(),
  )) as HttpResult;
  return { status: response.statusCode, body: JSON.parse(response.body) as Record<string, unknown> };
};

const seedSolution = (solutionId: string, status: string) =>
  tables.solutions.apply({
    solutionId,
    status,
    event: 'SOLUTION_UPDATED',
    businessId: '506914307656634',
    timeMs: clock.now - 60_000,
    eventId: `seed-${solutionId}-${status}`,
    source: 'webhook',
  });

const solutionRoute = (suffix: string) => `POST /v1/solutions/{solutionId}/${suffix}`;
const threadRoute = (verb: string) => `POST /v1/threads/{pageId}/{userId}/${verb}`;

beforeEach(() => {
  clock.now += 3_600_000;
});

describe('solution actions', () => {
  it.each([
    ['accept', 'INITIATED', 'accept', 'ACTIVE'],
    ['reject', 'PENDING', 'reject', 'REJECTED'],
    ['deactivation', 'ACTIVE', 'send_deactivation_request', 'PENDING_DEACTIVATION'],
    ['deactivation/accept', 'PENDING_DEACTIVATION', 'accept_deactivation_request', 'DEACTIVATED'],
    ['deactivation/reject', 'PENDING_DEACTIVATION', 'reject_deactivation_request', 'ACTIVE'],
  ])('%s from %s calls POST /<SOLUTION_ID>/%s and records %s at once', async (action, from, edge, to) => {
    const id = String(
      6200000 +
        ['accept', 'reject', 'deactivation', 'deactivation/accept', 'deactivation/reject'].indexOf(action),
    );
    await seedSolution(id, from);
    graph.on(`GET /${id}`, { body: { name: 'n', status: from, partners: { data: [] } } });
    graph.on(`POST /${id}/${edge}`, { body: { success: true } });
    const response = await call('POST', solutionRoute(action), { solutionId: id });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      solutionId: id,
      status: to,
      lastSource: 'action',
      lastEvent: action,
    });
    const [request] = graph.calls(`POST /${id}/${edge}`);
    expect(request).toMatchObject({
      method: 'POST',
      authorization: `Bearer ${SYSTEM_TOKEN}`,
      query: {},
      body: '',
    });
  });

  it('accept first reads the solution with the documented fields', async () => {
    await seedSolution('6100001', 'INITIATED');
    graph.on('GET /6100001', { body: { status: 'INITIATED', partners: { data: [] } } });
    graph.on('POST /6100001/accept', { body: { success: true } });
    await call('POST', solutionRoute('accept'), { solutionId: '6100001' });
    expect(graph.calls('GET /6100001')[0]?.query).toEqual({
      fields:
        'name,status,status_for_pending_request,owner_permissions,partners{partner_permissions,partner_app}',
    });
    expect(graph.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      'GET /v26.0/6100001',
      'POST /v26.0/6100001/accept',
    ]);
  });

  it.each([
    ['accept', 'ACTIVE'],
    ['reject', 'REJECTED'],
    ['deactivation', 'PENDING'],
    ['deactivation/accept', 'ACTIVE'],
    ['deactivation/reject', 'DEACTIVATED'],
  ])('%s in status %s answers 409 with the reason and does not call Meta', async (action, status) => {
    const id = String(
      6300000 +
        ['accept', 'reject', 'deactivation', 'deactivation/accept', 'deactivation/reject'].indexOf(action),
    );
    await seedSolution(id, status);
    const response = await call('POST', solutionRoute(action), { solutionId: id });
    expect(response.status).toBe(409);
    expect(String(response.body.message)).toContain(status);
    expect(graph.requests).toHaveLength(0);
  });

  it('an unknown solution answers 404 without calling Meta', async () => {
    expect((await call('POST', solutionRoute('accept'), { solutionId: '6199999' })).status).toBe(404);
    expect(graph.requests).toHaveLength(0);
  });

  it('refuses to accept when Meta shows other partner terms than the caller reviewed, showing both', async () => {
    await seedSolution('6100002', 'INITIATED');
    graph.on('GET /6100002', {
      body: {
        status: 'INITIATED',
        partners: {
          data: [{ partner_app: { id: '637576208107267' }, partner_permissions: ['MANAGE', 'DEVELOP'] }],
        },
      },
    });
    const response = await call(
      'POST',
      solutionRoute('accept'),
      { solutionId: '6100002' },
      { partnerAppId: '637576208107267', partnerPermissions: ['MANAGE'] },
    );
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({
      reviewed: { partnerPermissions: ['MANAGE'] },
      meta: [{ partnerAppId: '637576208107267', partnerPermissions: ['MANAGE', 'DEVELOP'] }],
    });
    expect(graph.calls('POST /6100002/accept')).toHaveLength(0);
    expect((await tables.solutions.get('6100002'))?.status).toBe('INITIATED');
  });

  it('accepts when the reviewed terms match, whatever their order', async () => {
    await seedSolution('6100003', 'INITIATED');
    graph.on('GET /6100003', {
      body: {
        status: 'INITIATED',
        partners: {
          data: [{ partner_app: { id: '637576208107267' }, partner_permissions: ['MANAGE', 'DEVELOP'] }],
        },
      },
    });
    graph.on('POST /6100003/accept', { body: { success: true } });
    const response = await call(
      'POST',
      solutionRoute('accept'),
      { solutionId: '6100003' },
      { partnerAppId: '637576208107267', partnerPermissions: ['DEVELOP', 'MANAGE'] },
    );
    expect(response.status).toBe(200);
  });

  it('reads a partner app ID that Graph sends as a bare number by the same ID rule as the caller', async () => {
    await seedSolution('6100006', 'INITIATED');
    graph.on('GET /6100006', {
      body: {
        status: 'INITIATED',
        partners: { data: [{ partner_app: { id: 637576208107267 }, partner_permissions: ['MANAGE'] }] },
      },
    });
    graph.on('POST /6100006/accept', { body: { success: true } });
    const response = await call(
      'POST',
      solutionRoute('accept'),
      { solutionId: '6100006' },
      { partnerAppId: '637576208107267', partnerPermissions: ['MANAGE'] },
    );
    expect(response.status).toBe(200);
  });

  it('an answer from Graph that is not a JSON object is a 502 (Meta), not a 500 (ours), and changes nothing', async () => {
    await seedSolution('6100007', 'INITIATED');
    graph.on('GET /6100007', { body: '<html>upstream proxy error</html>' });
    const response = await call('POST', solutionRoute('accept'), { solutionId: '6100007' });
    expect(response.status).toBe(502);
    expect(response.body).toMatchObject({ error: 'meta_refused', message: expect.any(String) });
    expect(graph.calls('POST /6100007/accept')).toHaveLength(0);
    expect((await tables.solutions.get('6100007'))?.status).toBe('INITIATED');
  });

  it('answers 400 for a malformed body', async () => {
    await seedSolution('6100004', 'INITIATED');
    expect(
      (
        await call(
          'POST',
          solutionRoute('accept'),
          { solutionId: '6100004' },
          { partnerPermissions: 'MANAGE' },
        )
      ).status,
    ).toBe(400);
    expect(graph.requests).toHaveLength(0);
  });

  it('a Meta refusal answers 502 with code, subcode, message and fbtrace_id, and changes no state', async () => {
    await seedSolution('6100005', 'ACTIVE');
    const before = await tables.solutions.table.get({ solutionId: '6100005' });
    graph.on(
      'POST /6100005/send_deactivation_request',
      graphError(10, 'only the solution owner can do this', { error_subcode: 2388001 }),
    );
    const response = await call('POST', solutionRoute('deactivation'), { solutionId: '6100005' });
    expect(response.status).toBe(502);
    expect(response.body).toMatchObject({
      error: 'meta_refused',
      code: 10,
      error_subcode: 2388001,
      message: 'only the solution owner can do this',
      fbtrace_id: 'trace-10',
    });
    expect(await tables.solutions.table.get({ solutionId: '6100005' })).toEqual(before);
  });

  it('the late webhook for an accepted solution is a no-op', async () => {
    const webhook = decodeSolutionChange(fixtureEnvelope('solution-active'));
    const id = webhook.solutionId;
    await tables.solutions.apply({
      ...webhook,
      status: 'INITIATED',
      eventId: 'created',
      timeMs: webhook.timeMs - 1_000,
    });
    graph.on(`GET /${id}`, { body: { status: 'INITIATED', partners: { data: [] } } });
    graph.on(`POST /${id}/accept`, { body: { success: true } });
    clock.now = Math.max(clock.now, webhook.timeMs + 500);
    await call('POST', solutionRoute('accept'), { solutionId: id });
    const afterAction = await tables.solutions.table.get({ solutionId: id });
    expect(await tables.solutions.apply(webhook)).not.toBe('applied');
    expect(await tables.solutions.table.get({ solutionId: id })).toEqual(afterAction);
    expect((await tables.solutions.get(id))?.status).toBe('ACTIVE');
  });
});

describe('conversation control', () => {
  /** A fresh PSID per test: digits derived from the test's name and the fake clock. */
  const user = (name: string) =>
    `${[...name].reduce((hash, char) => (hash * 31 + char.charCodeAt(0)) % 1_000_000, 7)}${clock.now}`;

  it('take sends the documented request and records owner and expiration', async () => {
    const psid = user('take');
    const expiration = Math.floor(clock.now / 1000) + 86_400;
    graph.on(`POST /${PAGE}/take_thread_control`, {
      body: { data: [{ thread_owner: { app_id: APP, expiration } }] },
    });
    const response = await call(
      'POST',
      threadRoute('take'),
      { pageId: PAGE, userId: psid },
      { metadata: 'escalated' },
    );
    expect(response).toMatchObject({
      status: 200,
      body: { ownerAppId: APP, expiresAt: expiration * 1000, metadata: 'escalated', lastSource: 'action' },
    });
    const [request] = graph.calls(`POST /${PAGE}/take_thread_control`);
    expect(request).toMatchObject({
      authorization: `Bearer ${PAGE_TOKEN}`,
      query: { recipient: JSON.stringify({ id: psid }), metadata: 'escalated' },
    });
  });

  it('pass, request, release, extend and metadata send their documented parameters', async () => {
    const psid = user('flow');
    graph.on(`POST /${PAGE}/take_thread_control`, {
      body: { data: [{ thread_owner: { app_id: APP, expiration: Math.floor(clock.now / 1000) + 100 } }] },
    });
    for (const edge of [
      'pass_thread_control',
      'request_thread_control',
      'release_thread_control',
      'extend_thread_control',
      'pass_thread_metadata',
    ]) {
      graph.on(`POST /${PAGE}/${edge}`, { body: { success: true } });
    }
    const recipient = JSON.stringify({ id: psid });
    await call('POST', threadRoute('take'), { pageId: PAGE, userId: psid });
    expect(
      (
        await call(
          'POST',
          threadRoute('extend'),
          { pageId: PAGE, userId: psid },
          { durationSeconds: 604_800 },
        )
      ).body,
    ).toMatchObject({ ownerAppId: APP, expiresAt: clock.now + 604_800_000 });
    expect(
      (
        await call(
          'POST',
          threadRoute('metadata'),
          { pageId: PAGE, userId: psid },
          { targetAppId: '123456789', metadata: 'note' },
        )
      ).body,
    ).toMatchObject({ ownerAppId: APP, metadata: 'note' });
    expect(
      (
        await call(
          'POST',
          threadRoute('pass'),
          { pageId: PAGE, userId: psid },
          { targetAppId: '263902037430900', metadata: 'human' },
        )
      ).body,
    ).toMatchObject({ ownerAppId: '263902037430900', ownerAppName: 'Page Inbox', previousOwnerAppId: APP });
    expect((await call('POST', threadRoute('request'), { pageId: PAGE, userId: psid })).body).toMatchObject({
      requestedOwnerAppId: APP,
    });
    expect(graph.calls(`POST /${PAGE}/extend_thread_control`)[0]?.query).toEqual({
      recipient,
      duration: '604800',
    });
    expect(graph.calls(`POST /${PAGE}/pass_thread_metadata`)[0]?.query).toEqual({
      recipient,
      target_app_id: '123456789',
      metadata: 'note',
    });
    expect(graph.calls(`POST /${PAGE}/pass_thread_control`)[0]?.query).toEqual({
      recipient,
      target_app_id: '263902037430900',
      metadata: 'human',
    });
    expect(graph.calls(`POST /${PAGE}/request_thread_control`)[0]?.query).toEqual({ recipient });
    expect(graph.requests.every((request) => request.authorization === `Bearer ${PAGE_TOKEN}`)).toBe(true);
  });

  it('release records the thread as idle; thread_owner refresh records what Meta says', async () => {
    const psid = user('release');
    graph.on(`POST /${PAGE}/take_thread_control`, {
      body: { data: [{ thread_owner: { app_id: APP, expiration: Math.floor(clock.now / 1000) + 100 } }] },
    });
    graph.on(`POST /${PAGE}/release_thread_control`, { body: { success: true } });
    graph.on(`GET /${PAGE}/thread_owner`, { body: { data: [] } });
    await call('POST', threadRoute('take'), { pageId: PAGE, userId: psid });
    clock.now += 1;
    expect((await call('POST', threadRoute('release'), { pageId: PAGE, userId: psid })).body).toMatchObject({
      ownerAppId: null,
      previousOwnerAppId: APP,
    });
    clock.now += 1;
    const refreshed = await call(
      'GET',
      'GET /v1/threads/{pageId}/{userId}',
      { pageId: PAGE, userId: psid },
      undefined,
      { refresh: 'true' },
    );
    expect(refreshed.body).toMatchObject({ ownerAppId: null, lastEvent: 'observed' });
    expect(graph.calls(`GET /${PAGE}/thread_owner`)[0]?.query).toEqual({ recipient: psid });
  });

  it.each([
    ['release', {}],
    ['extend', { durationSeconds: 60 }],
  ])(
    "%s on a thread idle, another app's, or never seen answers 409 without calling Meta",
    async (verb, body) => {
      // Prepare: Meta said one thread is idle and another is the Page Inbox's; a third was never seen.
      const [idle, inbox, unseen] = [user(`guard-idle-${verb}`), user(`guard-inbox-${verb}`), user(verb)];
      graph.on(`GET /${PAGE}/thread_owner`, { body: { data: [] } });
      await call('GET', 'GET /v1/threads/{pageId}/{userId}', { pageId: PAGE, userId: idle }, undefined, {
        refresh: 'true',
      });
      graph.on(`GET /${PAGE}/thread_owner`, {
        body: { data: [{ thread_owner: { app_id: '263902037430900' } }] },
      });
      await call('GET', 'GET /v1/threads/{pageId}/{userId}', { pageId: PAGE, userId: inbox }, undefined, {
        refresh: 'true',
      });
      graph.reset();
      // Act
      const answers = await Promise.all(
        [idle, inbox, unseen].map((userId) =>
          call('POST', threadRoute(verb), { pageId: PAGE, userId }, body),
        ),
      );
      // Assess
      expect(answers.map((answer) => answer.status)).toEqual([409, 409, 409]);
      expect(graph.requests).toHaveLength(0);
    },
  );

  it('release on a thread owned by an app Meta does not name is for Meta to decide', async () => {
    // Prepare: Meta answered thread_owner with an expiration only (owned, the app not named).
    const unnamed = user('release-unnamed');
    const expiration = Math.floor(clock.now / 1000) + 100;
    graph.on(`GET /${PAGE}/thread_owner`, { body: { data: [{ thread_owner: { expiration } }] } });
    await call('GET', 'GET /v1/threads/{pageId}/{userId}', { pageId: PAGE, userId: unnamed }, undefined, {
      refresh: 'true',
    });
    graph.reset();
    graph.on(`POST /${PAGE}/release_thread_control`, { body: { success: true } });
    // Act
    const released = await call('POST', threadRoute('release'), { pageId: PAGE, userId: unnamed });
    // Assess: Meta was asked, and its answer recorded
    expect(released).toMatchObject({ status: 200, body: { idle: true } });
    expect(graph.calls(`POST /${PAGE}/release_thread_control`)).toHaveLength(1);
  });

  it('take or request while we already control the thread answer 409 without calling Meta', async () => {
    const psid = user('ours');
    graph.on(`POST /${PAGE}/take_thread_control`, {
      body: { data: [{ thread_owner: { app_id: APP, expiration: Math.floor(clock.now / 1000) + 100 } }] },
    });
    await call('POST', threadRoute('take'), { pageId: PAGE, userId: psid });
    graph.reset();
    expect((await call('POST', threadRoute('take'), { pageId: PAGE, userId: psid })).status).toBe(409);
    expect((await call('POST', threadRoute('request'), { pageId: PAGE, userId: psid })).status).toBe(409);
    expect(graph.requests).toHaveLength(0);
  });

  it.each([
    ['pass', {}],
    ['pass', { targetAppId: 'not-an-app' }],
    ['extend', { durationSeconds: 604_801 }],
    ['extend', { durationSeconds: 1.5 }],
    ['metadata', { targetAppId: '1' }],
    ['take', { metadata: 'x'.repeat(1001) }],
  ])('%s with %j answers 400', async (verb, body) => {
    expect((await call('POST', threadRoute(verb), { pageId: PAGE, userId: user('bad') }, body)).status).toBe(
      400,
    );
    expect(graph.requests).toHaveLength(0);
  });

  it('bounds every Graph call by the invocation: a slow Meta answers 504 before API Gateway gives up', async () => {
    // Prepare: Meta does not answer while the invocation runs; the invocation has 5 s left (3.5 s for its Graph
    // calls: room for the work before the call on a busy machine, so the call is always sent, then cut off)
    const psid = user('slow');
    const meta = held<FakeReply>();
    graph.on(`POST /${PAGE}/take_thread_control`, () => meta.promise);

    // Act
    const response = (await handler()(
      httpEvent({
        method: 'POST',
        path: `/v1/threads/${PAGE}/${psid}/take`,
        routeKey: threadRoute('take'),
        pathParameters: { pageId: PAGE, userId: psid },
      }),
      localContext('actions', 5_000),
    )) as HttpResult;
    meta.release({ body: { success: true } });

    // Assess: cut off by the invocation's deadline (only Meta's answer could have ended the call otherwise),
    // saying Meta may have acted; nothing recorded. The answer proves the bound: no stopwatch.
    expect(response.statusCode).toBe(504);
    expect(JSON.parse(response.body)).toMatchObject({ error: 'meta_unavailable' });
    expect(JSON.parse(response.body).message).toMatch(/may (or may not )?have acted/);
    expect(await tables.threads.table.get({ pageId: PAGE, userId: psid })).toBeUndefined();
  });

  it('a Meta refusal answers 502 and records nothing', async () => {
    const psid = user('refused');
    graph.on(
      `POST /${PAGE}/take_thread_control`,
      graphError(10, 'Application does not have permission for this action', { error_subcode: 2018300 }),
    );
    const response = await call('POST', threadRoute('take'), { pageId: PAGE, userId: psid });
    expect(response).toMatchObject({
      status: 502,
      body: { code: 10, error_subcode: 2018300, fbtrace_id: 'trace-10' },
    });
    expect(await tables.threads.table.get({ pageId: PAGE, userId: psid })).toBeUndefined();
  });

  it('turns idle exactly when the control period ends (fake clock), until a newer event', async () => {
    const psid = user('expiry');
    const expiration = Math.floor(clock.now / 1000) + 60;
    graph.on(`POST /${PAGE}/take_thread_control`, {
      body: { data: [{ thread_owner: { app_id: APP, expiration } }] },
    });
    await call('POST', threadRoute('take'), { pageId: PAGE, userId: psid });
    clock.now = expiration * 1000 - 1;
    expect(await tables.threads.get(PAGE, psid)).toMatchObject({ ownerAppId: APP, expired: false });
    clock.now = expiration * 1000;
    expect(await tables.threads.get(PAGE, psid)).toMatchObject({
      ownerAppId: null,
      expired: true,
      expiresAt: null,
    });
    const [pass] = envelopesOf({
      object: 'page',
      entry: [
        {
          id: PAGE,
          time: clock.now,
          messaging: [
            {
              sender: { id: psid },
              recipient: { id: PAGE },
              timestamp: clock.now + 5,
              pass_thread_control: { previous_owner_app_id: '263902037430900', new_owner_app_id: '555' },
            },
          ],
        },
      ],
    });
    if (pass === undefined) throw new Error('no envelope');
    await tables.threads.apply(decodeHandover(pass));
    expect(await tables.threads.get(PAGE, psid)).toMatchObject({ ownerAppId: '555', expired: false });
  });

  it('an action and the webhook for the same change converge in either order', async () => {
    const psid = user('converge');
    const action: ThreadEvent = {
      kind: 'take',
      pageId: PAGE,
      userId: psid,
      timeMs: 2_000,
      eventId: 'action',
      source: 'action',
      metadata: null,
      previousOwnerAppId: null,
      newOwnerAppId: APP,
      expiresAt: 90_000,
    };
    const webhook: ThreadEvent = {
      ...action,
      timeMs: 1_990,
      eventId: 'webhook',
      source: 'webhook',
      expiresAt: null,
      previousOwnerAppId: '263902037430900',
    };
    const one = applyThreadEvent(applyThreadEvent(undefined, action).item, webhook).item;
    const other = applyThreadEvent(applyThreadEvent(undefined, webhook).item, action).item;
    expect(one).toEqual(other);
  });
});

describe('customer business tokens', () => {
  it('a PARTNER_ADDED for our solution stores the token in the secret store and nowhere else', async () => {
    // Prepare: the WABAs consumer queues a job; the actions function fetches and stores the token.
    const token = `EAAG${'s3cr3t'.repeat(8)}`;
    graph.on('GET /303610109049230/access_token', { body: { data: [{ access_token: token }] } });
    const jobs: string[] = [];
    const telemetry = new Telemetry('wabas');
    const consumer = createConsumerHandler(
      wabasConsumer(
        consumerPorts(tables.wabas, telemetry, {
          env: { BUSINESS_TOKENS_ENABLED: 'true', META_BUSINESS_ID: '506914307656634' },
          jobs: (_queue, body) => void jobs.push(body),
        }),
      ),
      { telemetry, deadLetters: new MemoryDeadLetters() },
    );
    const actions = handler();
    // Act
    const { output } = await captureOutput(async () => {
      const level = process.env.POWERTOOLS_LOG_LEVEL;
      process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
      try {
        await consumer(sqsEvent([JSON.stringify(fixtureEnvelope('partner-added'))], 'added'), context());
        const result = (await actions(sqsEvent(jobs, 'job'), context())) as SQSBatchResponse;
        expect(result.batchItemFailures).toEqual([]);
      } finally {
        if (level === undefined) delete process.env.POWERTOOLS_LOG_LEVEL;
        else process.env.POWERTOOLS_LOG_LEVEL = level;
      }
    });
    // Assess
    expect(graph.calls('GET /303610109049230/access_token')[0]).toMatchObject({
      query: { business_id: '6143763655652543' },
      authorization: `Bearer ${SYSTEM_TOKEN}`,
    });
    expect(store.secrets.get('switchboard/business-tokens/6143763655652543')).toContain(token);
    expect((await tables.wabas.get('102290129340398'))?.businessTokenSecret).toBe(
      'switchboard/business-tokens/6143763655652543',
    );
    for (const table of Object.values(tables.dynamo.tableNames)) {
      const { Items } = await tables.dynamo.client.send(new ScanCommand({ TableName: table }));
      expect(JSON.stringify(Items)).not.toContain(token);
    }
    expect(output).not.toContain(token);
  });

  it('a failed fetch is reported for retry through the queue; an invalid job goes to the DLQ at once', async () => {
    graph.on('GET /303610109049230/access_token', graphError(200, 'Permissions error'));
    const job = JSON.stringify({
      v: 1,
      wabaId: '102290129340398',
      solutionId: '303610109049230',
      businessId: '6143763655652599',
    });
    const counted = vi.spyOn(Telemetry.prototype, 'count');
    const result = (await handler()(sqsEvent([job, '{"bad":true}'], 'job'), context())) as SQSBatchResponse;
    expect(result.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual(['job-0']);
    expect(deadLetters.messages.at(-1)).toMatchObject({
      body: '{"bad":true}',
      attributes: { reason: 'not an onboarding or business token job', queue: 'business-tokens' },
    });
    expect(counted).toHaveBeenCalledWith('EventsProcessed', 1, {
      Domain: 'business-tokens',
      Outcome: 'invalid',
    });
    counted.mockRestore();
  });
});
