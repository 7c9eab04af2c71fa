/** The functions behind the HTTP API. */
export type RoutedFunction = 'webhook' | 'api' | 'actions' | 'reconcile';

export interface RouteDefinition {
  method: 'GET' | 'POST';
  path: string;
  function: RoutedFunction;
  /** `iam`: SigV4 in AWS. `/webhook` stays public: Meta cannot sign with SigV4, the HMAC check stands in. */
  auth: 'none' | 'iam';
}

const route = (
  method: RouteDefinition['method'],
  path: string,
  fn: RoutedFunction,
  auth: RouteDefinition['auth'] = 'iam',
) => ({
  method,
  path,
  function: fn,
  auth,
});

/**
 * Every HTTP route, shared by the CDK stack (which creates them) and local mode (which matches requests
 * against them to build the same API Gateway events). Thread reads live with the actions function because
 * `?refresh=true` asks Meta; the read API function only reads tables.
 */
export const ROUTES: readonly RouteDefinition[] = [
  route('GET', '/webhook', 'webhook', 'none'),
  route('POST', '/webhook', 'webhook', 'none'),
  route('GET', '/healthz', 'webhook', 'none'),
  route('GET', '/v1/solutions', 'api'),
  route('GET', '/v1/solutions/{solutionId}', 'api'),
  route('GET', '/v1/wabas', 'api'),
  route('GET', '/v1/wabas/{wabaId}', 'api'),
  route('GET', '/v1/pages/{pageId}', 'api'),
  route('POST', '/v1/reconcile', 'reconcile'),
  route('POST', '/v1/solutions/{solutionId}/accept', 'actions'),
  route('POST', '/v1/solutions/{solutionId}/reject', 'actions'),
  route('POST', '/v1/solutions/{solutionId}/deactivation', 'actions'),
  route('POST', '/v1/solutions/{solutionId}/deactivation/accept', 'actions'),
  route('POST', '/v1/solutions/{solutionId}/deactivation/reject', 'actions'),
  route('GET', '/v1/threads/{pageId}/{userId}', 'actions'),
  route('POST', '/v1/threads/{pageId}/{userId}/take', 'actions'),
  route('POST', '/v1/threads/{pageId}/{userId}/pass', 'actions'),
  route('POST', '/v1/threads/{pageId}/{userId}/request', 'actions'),
  route('POST', '/v1/threads/{pageId}/{userId}/release', 'actions'),
  route('POST', '/v1/threads/{pageId}/{userId}/extend', 'actions'),
  route('POST', '/v1/threads/{pageId}/{userId}/metadata', 'actions'),
];

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
