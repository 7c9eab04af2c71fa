import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES } from '../../fixtures/deliveries.js';
import { ROUTES } from '../../shared/app/routes.js';
import { isWhatsappUserId } from '../../shared/domains/whatsapp-threads/user-id.js';
import { countRequests } from '../support/dynamo.js';
import { useFakeGraph } from '../support/fake-graph.js';
import { HOSTILE_PATH_IDS } from '../support/hostile-ids.js';
import { postSigned, useLocalStackWithGraph } from '../support/local-stack.js';

/**
 * The held-out set, written out: every `/v1` route of the route table, every hostile ID form, in each path
 * position, in the query and in the body, against local mode with a Graph stand-in that records every call.
 * Each answers 400 with a JSON error before any call to Meta or DynamoDB (CONTRACT.md, "IDs").
 */
const graph = useFakeGraph();
const local = useLocalStackWithGraph(graph);
let dynamo: ReturnType<typeof countRequests>;
beforeAll(() => {
  dynamo = countRequests(local.stack.dynamo.client);
});

const VALID: Readonly<Record<string, string>> = {
  solutionId: '303610109049230',
  wabaId: '102290129340398',
  pageId: '1029384756102938',
  userId: '5647382910564738',
};
const APP = '263902037430900';
/** A body each route accepts, so that only the ID under test is wrong. */
const BODIES: Readonly<Record<string, string>> = {
  'threads.pass': JSON.stringify({ targetAppId: APP }),
  'threads.metadata': JSON.stringify({ targetAppId: APP, metadata: 'm' }),
  'threads.extend': JSON.stringify({ durationSeconds: 60 }),
};

const DOT_SEGMENTS = new Set(['.', '..', '%2E%2E', '%2e', '.%2e']);
/** As a query or body value holds them, decoded. */
const VALUE_FORMS = [
  'abc',
  '#page',
  '__proto__',
  '../me',
  '1e400',
  '-1',
  ' 1',
  '1.5',
  '1,2',
  '١٢',
  '１',
  '9'.repeat(33),
];
/** JSON literals that are not IDs in a body (an ID is a string of digits). */
const BODY_LITERALS = [
  ...VALUE_FORMS.map((form) => JSON.stringify(form)),
  '1e400',
  '12345',
  'true',
  'null',
  '{}',
  '[]',
];

const send = async (method: string, path: string, body?: string) => {
  const [graphBefore, dynamoBefore] = [graph.requests.length, dynamo.total];
  const response = await fetch(`${local.stack.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(method === 'GET' || body === undefined ? {} : { body }),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return {
    status: response.status,
    json,
    graphCalls: graph.requests.length - graphBefore,
    dynamoCalls: dynamo.total - dynamoBefore,
  };
};
const refusedBeforeAnyCall = { status: 400, json: { error: 'bad_request' }, graphCalls: 0, dynamoCalls: 0 };

/**
 * A WhatsApp thread's user is a phone number or a business-scoped user ID (letters, digits and dots, CONTRACT):
 * `12a` or `constructor` is one there, so such a form is not hostile in that position.
 */
const WHATSAPP_USER = 'US.13491208655302741918';
const isWhatsappUser = (route: { path: string }, name: string) =>
  route.path.startsWith('/v1/whatsapp/') && name === 'userId';
const decoded = (form: string): string | undefined => {
  try {
    return decodeURIComponent(form);
  } catch {
    return undefined;
  }
};
const hostileAt = (route: { path: string }, name: string, form: string) =>
  !(isWhatsappUser(route, name) && isWhatsappUserId(decoded(form)));

const v1Routes = ROUTES.routes.filter((route) => route.path.startsWith('/v1/'));
const pathCases = v1Routes.flatMap((route) =>
  [...route.path.matchAll(/\{([^}]+)\}/g)].flatMap(([, parameter = '']) =>
    HOSTILE_PATH_IDS.filter((form) => hostileAt(route, parameter, form)).map((form) => ({
      route,
      form,
      label: `${route.method} ${route.path} with ${parameter}=${form.slice(0, 40)}`,
      path: route.path.replace(/\{([^}]+)\}/g, (_match, name: string) =>
        name === parameter ? form : isWhatsappUser(route, name) ? WHATSAPP_USER : (VALID[name] ?? '1'),
      ),
    })),
  ),
);

const postRoutes = v1Routes.filter((route) => route.method === 'POST');
const validPath = (path: string) =>
  path.replace(/\{([^}]+)\}/g, (_match, name: string) => VALID[name] ?? '1');

describe('hostile requests against local mode', () => {
  it(`a body that is not a JSON object, on each of the ${postRoutes.length} POST routes, is a 400 before any call`, async () => {
    graph.fallback({ body: { success: true, data: [] } });
    for (const route of postRoutes) {
      for (const body of ['not json', '[1,2]', '{"unterminated":', '"a string"', '42']) {
        const answer = await send('POST', validPath(route.path), body);
        expect(answer, `${route.path} ${body}`).toMatchObject(refusedBeforeAnyCall);
      }
    }
  });

  it('a body declared as another type than JSON is a 415 before any call', async () => {
    for (const route of postRoutes) {
      const [graphBefore, dynamoBefore] = [graph.requests.length, dynamo.total];
      const response = await fetch(`${local.stack.url}${validPath(route.path)}`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: BODIES[route.name] ?? '{"from":1,"to":2}',
      });
      expect(response.status, route.path).toBe(415);
      expect(await response.json()).toMatchObject({ error: 'unsupported_media_type' });
      expect([graph.requests.length - graphBefore, dynamo.total - dynamoBefore]).toEqual([0, 0]);
    }
  });

  it(`${pathCases.length} hostile path IDs over every /v1 route answer 400 before any call to Meta or DynamoDB`, async () => {
    graph.fallback({ body: { success: true, data: [] } });
    for (const { route, label, path, form } of pathCases) {
      const answer = await send(route.method, path, BODIES[route.name] ?? '{}');
      if (DOT_SEGMENTS.has(form)) {
        // A dot-segment (`..`, also percent-encoded) is removed by URL parsing: the path then names another
        // route or none (400, 404 or 405), and still nothing is called.
        expect([400, 404, 405], label).toContain(answer.status);
        expect(answer, label).toMatchObject({
          json: { error: expect.any(String) },
          graphCalls: 0,
          dynamoCalls: 0,
        });
      } else expect(answer, label).toMatchObject(refusedBeforeAnyCall);
    }
  });

  it('hostile query IDs answer 400 before any call', async () => {
    for (const form of [...VALUE_FORMS, '']) {
      const answer = await send('GET', `/v1/wabas?${new URLSearchParams({ solutionId: form })}`);
      expect(answer, JSON.stringify(form)).toMatchObject(refusedBeforeAnyCall);
    }
    expect(await send('GET', '/v1/wabas?solutionId=%E0%A4%A')).toMatchObject(refusedBeforeAnyCall);
  });

  it('hostile body IDs answer 400 before any call; the same request with a real ID reaches Meta', async () => {
    graph.fallback({ body: { success: true, data: [] } });
    const thread = `/v1/threads/${VALID.pageId}/${VALID.userId}`;
    const solution = `/v1/solutions/${VALID.solutionId}`;
    for (const literal of BODY_LITERALS) {
      for (const [path, body] of [
        [`${thread}/pass`, `{"targetAppId":${literal}}`],
        [`${thread}/metadata`, `{"targetAppId":${literal},"metadata":"m"}`],
        [`${solution}/accept`, `{"partnerAppId":${literal}}`],
      ] as const) {
        expect(await send('POST', path, body), `${path} ${body}`).toMatchObject(refusedBeforeAnyCall);
      }
    }
    // The control: the stand-in and the counters do see a request that carries real IDs.
    const control = await send('POST', `${thread}/pass`, BODIES['threads.pass']);
    expect(control.status).toBe(200);
    expect(control.graphCalls).toBe(1);
    expect(control.dynamoCalls).toBeGreaterThan(0);
  });
});

describe('hostile deliveries against local mode', () => {
  it('events whose IDs are not IDs go to the DLQ at once with their reason and queue, and write nothing', async () => {
    // Prepare: Meta's own handover samples, with a prototype key for an app ID and a PSID past any key limit
    const roles = structuredClone(FIXTURES['app-roles']?.body) as { entry: { messaging: object[] }[] };
    const take = structuredClone(FIXTURES['take-thread-control']?.body) as {
      entry: { messaging: { sender: { id: string } }[] }[];
    };
    const [rolesEvent] = roles.entry[0]?.messaging ?? [];
    const [takeEvent] = take.entry[0]?.messaging ?? [];
    if (rolesEvent === undefined || takeEvent === undefined) throw new Error('fixture shape');
    Object.assign(rolesEvent, { app_roles: JSON.parse('{"__proto__":["primary_receiver"]}') });
    takeEvent.sender.id = '9'.repeat(2_000);
    const dlq = local.stack.queues.get('threads').dlq;
    const before = dlq?.peek().length ?? 0;

    // Act
    for (const body of [roles, take])
      expect(
        (await postSigned(local.stack.url, JSON.stringify(body), local.stack.env.META_APP_SECRET ?? ''))
          .status,
      ).toBe(200);
    await local.stack.drain();

    // Assess: both dead-lettered by the consumer itself (a redrive after 5 receives carries no reason)
    const dead = (dlq?.peek() ?? []).slice(before);
    expect(dead).toHaveLength(2);
    expect(dead.map((message) => message.attributes)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ reason: expect.stringContaining('app_roles key'), queue: 'threads' }),
        expect.objectContaining({ reason: expect.stringContaining('sender.id'), queue: 'threads' }),
      ]),
    );
    expect(graph.requests).toHaveLength(0);
    const page = await send('GET', `/v1/pages/${String((roles.entry[0] as { id?: unknown }).id)}`);
    expect(page.status).toBe(404);
  });
});
