/** The functions behind the HTTP API. */
export type RoutedFunction = 'webhook' | 'api' | 'actions' | 'reconcile';

export interface RouteDefinition {
  /** What the route does: the key each function's dispatch and the CLI find it by. */
  name: string;
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  function: RoutedFunction;
  /** `iam`: SigV4 in AWS. A public route (`none`) proves its caller otherwise (Meta's signature). */
  auth: 'none' | 'iam';
}

/** One route, its literal types kept so that a route table knows every name it holds. */
export const route = <const N extends string, const F extends RoutedFunction>(
  name: N,
  method: RouteDefinition['method'],
  path: string,
  fn: F,
  auth: RouteDefinition['auth'] = 'iam',
) => ({ name, method, path, function: fn, auth });

export type RouteMatch =
  | { found: true; route: RouteDefinition; pathParameters: Record<string, string> }
  | { found: false; status: 404 | 405 };

export const routeKey = (definition: Pick<RouteDefinition, 'method' | 'path'>): string =>
  `${definition.method} ${definition.path}`;

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

/**
 * A route table: the stack creates its routes, each function's dispatch finds its own in it, local mode matches
 * requests against it as API Gateway would, and the CLI builds its requests from it.
 */
export class RouteTable<R extends RouteDefinition = RouteDefinition> {
  private readonly byName: Map<string, R>;
  private readonly byKey: Map<string, R>;

  public constructor(public readonly routes: readonly R[]) {
    this.byName = new Map(routes.map((entry) => [entry.name, entry]));
    this.byKey = new Map(routes.map((entry) => [routeKey(entry), entry]));
    if (this.byName.size !== routes.length || this.byKey.size !== routes.length)
      throw new Error('route names and method + path pairs must be unique');
  }

  public named(name: R['name']): R {
    const found = this.byName.get(name);
    if (found === undefined) throw new Error(`no route ${name}`);
    return found;
  }

  /** A route's path with its parameters filled in (each encoded): how the CLI builds its requests. */
  public pathFor(name: R['name'], parameters: Readonly<Record<string, string>> = {}): string {
    return this.named(name).path.replace(/\{([^}]+)\}/g, (_match, parameter: string) => {
      const value = parameters[parameter];
      if (value === undefined) throw new Error(`route ${name} needs ${parameter}`);
      return encodeURIComponent(value);
    });
  }

  /** The route an API Gateway event was matched to (its `routeKey`), if it is one of ours. */
  public ofKey(key: string): R | undefined {
    return this.byKey.get(key);
  }

  /** Finds the route as API Gateway would: 404 when no path matches, 405 when only the method differs. */
  public match(method: string, path: string): RouteMatch {
    let pathMatched = false;
    for (const definition of this.routes) {
      const parameters = matchPath(definition.path, path);
      if (parameters === undefined) continue;
      pathMatched = true;
      if (definition.method === method.toUpperCase())
        return { found: true, route: definition, pathParameters: parameters };
    }
    return { found: false, status: pathMatched ? 405 : 404 };
  }
}
