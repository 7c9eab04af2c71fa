import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../shared/app/routes.js';
import { isWhatsappUserId } from '../../shared/domains/whatsapp-threads/user-id.js';
import { isMetaId } from '../../shared/kernel/ids.js';
import { parseJsonObject } from '../../shared/kernel/json.js';
import { useFakeGraph } from '../support/fake-graph.js';
import { HOSTILE_PATH_IDS } from '../support/hostile-ids.js';
import { useLocalStackWithGraph } from '../support/local-stack.js';
import { FUZZ_SEED as SEED, sized } from '../support/sizes.js';

/** 400 requests in `npm test`; 10,000 in `npm run test:soak`, or FUZZ_RUNS (the same variable as the webhook fuzz). */
const RUNS = sized('FUZZ_RUNS', { fast: 400, soak: 10_000 });

// Meta answers every call it gets with success, so any 5xx is Switchboard's own; every call is recorded.
const graph = useFakeGraph();
const local = useLocalStackWithGraph(graph);
const answerEverything = () => graph.fallback({ body: { success: true, data: [] } });

type Id = { text: string; valid: boolean };
// Valid IDs weigh more, so that many requests pass the path and reach the query and body checks behind it.
const id: fc.Arbitrary<Id> = fc.oneof(
  { arbitrary: fc.stringMatching(/^[0-9]{1,32}$/).map((text) => ({ text, valid: true })), weight: 4 },
  fc.constantFrom(...HOSTILE_PATH_IDS).map((text) => ({ text, valid: false })),
  fc
    .string({ minLength: 1, maxLength: 40 })
    .map((text) => ({ text: encodeURIComponent(text), valid: isMetaId(text) })),
);
const cursor = fc.oneof(
  fc.constant(undefined),
  fc.string({ maxLength: 60 }),
  fc.json({ maxDepth: 2 }).map((json) => Buffer.from(json).toString('base64url')),
  fc
    .record(
      { solutionId: fc.string(), wabaId: fc.string(), index: fc.integer(), inner: fc.string() },
      { requiredKeys: [] },
    )
    .map((value) => Buffer.from(JSON.stringify(value)).toString('base64url')),
);
const limit = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom('0', '1', '50', '100', '101', '-5', '1.5', 'x', '1e3'),
);
const value = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
);
const body = fc.oneof(
  fc.constant(undefined),
  fc.string({ maxLength: 80 }),
  fc
    .record(
      {
        targetAppId: fc.oneof(
          id.map((entry) => entry.text),
          value,
        ),
        partnerAppId: fc.oneof(
          id.map((entry) => entry.text),
          value,
        ),
        partnerPermissions: fc.oneof(
          fc.array(fc.constantFrom('MANAGE', 'VIEW_COST', 'x y', ''), { maxLength: 4 }),
          value,
        ),
        metadata: fc.oneof(fc.string({ maxLength: 30 }), fc.constant('m'.repeat(1_100)), value),
        durationSeconds: fc.oneof(fc.integer({ min: -10, max: 700_000 }), value),
      },
      { requiredKeys: [] },
    )
    .map((record) => JSON.stringify(record)),
);
const v1Routes = ROUTES.routes.filter(
  (route) => route.path.startsWith('/v1/') && route.path !== '/v1/reconcile',
);

const request = fc.record({
  route: fc.constantFrom(...v1Routes),
  ids: fc.array(id, { minLength: 3, maxLength: 3 }),
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
  wrongMethod: fc.boolean(),
  query: fc.record({
    cursor,
    limit,
    solutionId: fc.oneof(fc.constant(undefined), id),
    refresh: fc.constantFrom(undefined, 'true', 'yes'),
  }),
  body,
});

describe('API fuzzing', () => {
  it(`${RUNS} requests of every /v1 route: no 5xx, and no call to Meta for an invalid path, query or body ID`, async () => {
    let fiveHundreds = 0;
    await fc.assert(
      fc.asyncProperty(request, async ({ route, ids, method, wrongMethod, query, body: payload }) => {
        answerEverything();
        let index = 0;
        const used: Id[] = [];
        const path = route.path.replace(/\{([^}]+)\}/g, (_match, name: string) => {
          const chosen = ids[index++] ?? { text: '1', valid: true };
          used.push(validAt(route.path, name, chosen));
          return chosen.text;
        });
        const search = new URLSearchParams();
        if (query.cursor !== undefined) search.set('cursor', query.cursor);
        if (query.limit !== undefined) search.set('limit', query.limit);
        if (query.solutionId !== undefined) {
          search.set('solutionId', decodeURIComponent(safe(query.solutionId.text)));
          if (route.path === '/v1/wabas') used.push(query.solutionId);
        }
        if (query.refresh !== undefined) search.set('refresh', query.refresh);
        const before = graph.requests.length;
        const response = await fetch(`${local.stack.url}${path}?${search}`, {
          method: wrongMethod ? method : route.method,
          headers: { 'content-type': 'application/json' },
          ...(payload === undefined || (wrongMethod ? method : route.method) === 'GET'
            ? {}
            : { body: payload }),
        });
        const text = await response.text();
        if (response.status >= 500) fiveHundreds += 1;
        expect(response.status, `${route.method} ${path} → ${text}`).toBeLessThan(500);
        if (response.status >= 400) expect(() => JSON.parse(text), text).not.toThrow();
        if (used.some((entry) => !entry.valid) || !bodyIdsValid(route.name, payload)) {
          expect(graph.requests.length, `${path} reached Meta`).toBe(before);
          expect(response.status, `${path} → ${text}`).toBeGreaterThanOrEqual(400);
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
    expect(fiveHundreds).toBe(0);
  });
});

/**
 * Whether an ID is valid where it stands: a Meta ID, except a WhatsApp thread's user, which may also be a
 * business-scoped user ID (letters, digits and dots: CONTRACT).
 */
const validAt = (path: string, name: string, id: Id): Id => {
  if (!path.startsWith('/v1/whatsapp/') || name !== 'userId') return id;
  try {
    return { ...id, valid: isWhatsappUserId(decodeURIComponent(id.text)) };
  } catch {
    return { ...id, valid: false };
  }
};

/** Body IDs the route reads (as JSON arrives: long integers kept exact); an invalid one must not reach Meta. */
const BODY_IDS: Readonly<Record<string, readonly string[]>> = {
  'threads.pass': ['targetAppId'],
  'threads.metadata': ['targetAppId'],
  'solutions.accept': ['partnerAppId'],
};
const bodyIdsValid = (routeName: string, payload: string | undefined): boolean => {
  const names = BODY_IDS[routeName] ?? [];
  const parsed = payload === undefined ? undefined : parseJsonObject(payload);
  if (names.length === 0 || parsed === undefined) return true;
  return names.every(
    (name) => (routeName === 'solutions.accept' && parsed[name] === undefined) || isMetaId(parsed[name]),
  );
};

/** The query value a client would send for a (possibly percent-encoded) generated ID. */
const safe = (text: string): string => {
  try {
    decodeURIComponent(text);
    return text;
  } catch {
    return encodeURIComponent(text);
  }
};
