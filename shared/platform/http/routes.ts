/** The functions behind the HTTP API. */
export type RoutedFunction = 'webhook' | 'api' | 'actions' | 'reconcile';

export interface RouteDefinition {
  /** What the route does: the key each function's dispatch and the CLI find it by. */
  name: string;
  method: 'GET' | 'POST';
  path: string;
  function: RoutedFunction;
  /** `iam`: SigV4 in AWS. `/webhook` stays public: Meta cannot sign with SigV4, the HMAC check stands in. */
  auth: 'none' | 'iam';
}

const route = <const N extends string, const F extends RoutedFunction>(
  name: N,
  method: RouteDefinition['method'],
  path: string,
  fn: F,
  auth: RouteDefinition['auth'] = 'iam',
) => ({ name, method, path, function: fn, auth });

/**
 * Every HTTP route, shared by the CDK stack (which creates them) and local mode (which matches requests
 * against them to build the same API Gateway events). Thread reads live with the actions function because
 * `?refresh=true` asks Meta; the read API function only reads tables.
 */
export const ROUTES = [
  route('webhook.verify', 'GET', '/webhook', 'webhook', 'none'),
  route('webhook.receive', 'POST', '/webhook', 'webhook', 'none'),
  route('health', 'GET', '/healthz', 'webhook', 'none'),
  route('solutions.list', 'GET', '/v1/solutions', 'api'),
  route('solutions.get', 'GET', '/v1/solutions/{solutionId}', 'api'),
  route('wabas.list', 'GET', '/v1/wabas', 'api'),
  route('wabas.get', 'GET', '/v1/wabas/{wabaId}', 'api'),
  route('pages.get', 'GET', '/v1/pages/{pageId}', 'api'),
  route('reconcile.run', 'POST', '/v1/reconcile', 'reconcile'),
  route('reconcile.status', 'GET', '/v1/reconcile', 'reconcile'),
  route('replay.run', 'POST', '/v1/replay', 'reconcile'),
  route('solutions.accept', 'POST', '/v1/solutions/{solutionId}/accept', 'actions'),
  route('solutions.reject', 'POST', '/v1/solutions/{solutionId}/reject', 'actions'),
  route('solutions.deactivate', 'POST', '/v1/solutions/{solutionId}/deactivation', 'actions'),
  route('solutions.acceptDeactivation', 'POST', '/v1/solutions/{solutionId}/deactivation/accept', 'actions'),
  route('solutions.rejectDeactivation', 'POST', '/v1/solutions/{solutionId}/deactivation/reject', 'actions'),
  route('threads.get', 'GET', '/v1/threads/{pageId}/{userId}', 'actions'),
  route('threads.take', 'POST', '/v1/threads/{pageId}/{userId}/take', 'actions'),
  route('threads.pass', 'POST', '/v1/threads/{pageId}/{userId}/pass', 'actions'),
  route('threads.request', 'POST', '/v1/threads/{pageId}/{userId}/request', 'actions'),
  route('threads.release', 'POST', '/v1/threads/{pageId}/{userId}/release', 'actions'),
  route('threads.extend', 'POST', '/v1/threads/{pageId}/{userId}/extend', 'actions'),
  route('threads.metadata', 'POST', '/v1/threads/{pageId}/{userId}/metadata', 'actions'),
  route('tokens.refresh', 'POST', '/v1/business-tokens/{businessId}/refresh', 'actions'),
] as const satisfies readonly RouteDefinition[];

export type Route = (typeof ROUTES)[number];
export type RouteName = Route['name'];
/** The routes one function serves, by name. */
export type RouteNameOf<F extends RoutedFunction> = Extract<Route, { function: F }>['name'];

const BY_NAME = new Map<string, Route>(ROUTES.map((entry) => [entry.name, entry]));
const BY_KEY = new Map<string, Route>(ROUTES.map((entry) => [`${entry.method} ${entry.path}`, entry]));

export const routeNamed = (name: RouteName): Route => {
  const found = BY_NAME.get(name);
  if (found === undefined) throw new Error(`no route ${name}`);
  return found;
};

/** A route's path with its parameters filled in (each encoded): how the CLI builds its requests. */
export const pathFor = (name: RouteName, parameters: Readonly<Record<string, string>> = {}): string =>
  routeNamed(name).path.replace(/\{([^}]+)\}/g, (_match, parameter: string) => {
    const value = parameters[parameter];
    if (value === undefined) throw new Error(`route ${name} needs ${parameter}`);
    return encodeURIComponent(value);
  });

/** The route an API Gateway event was matched to (its `routeKey`), if it is one of ours. */
export const routeOfKey = (key: string): Route | undefined => BY_KEY.get(key);

export const routeKey = (definition: Pick<RouteDefinition, 'method' | 'path'>): string =>
  `${definition.method} ${definition.path}`;

export type RouteMatch =
  | { found: true; route: RouteDefinition; pathParameters: Record<string, string> }
  | { found: false; status: 404 | 405 };

const matchPath = (template: string, path: string): Record<string, string> | undefined => {
  const expected = template.split('/');
  const actual = path.split('/');
  if (expected.length !== actual.length) return undefined;
  const parameters: Record<string, string> = {};
  for (const [index, part] of expected.entries()) {
    const value = actual[index] ?? '';
    if (part.startsWith('{') && part.endsWith('}')) {
      if (value === '') return undefined;
      parameters[part.slice(1, -1)] = value;
    } else if (part !== value) {
      return undefined;
    }
  }
  return parameters;
};

/** Finds the route as API Gateway would: 404 when no path matches, 405 when only the method differs. */
export const matchRoute = (method: string, path: string): RouteMatch => {
  let pathMatched = false;
  for (const definition of ROUTES) {
    const parameters = matchPath(definition.path, path);
    if (parameters === undefined) continue;
    pathMatched = true;
    if (definition.method === method.toUpperCase())
      return { found: true, route: definition, pathParameters: parameters };
  }
  return { found: false, status: pathMatched ? 405 : 404 };
};
