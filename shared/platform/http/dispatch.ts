import type { Context } from 'aws-lambda';
import { MethodNotAllowedError, NotFoundError } from '../../kernel/errors.js';
import { jsonObjectBody } from './request.js';
import type { RouteDefinition, RoutedFunction, RouteTable } from './routes.js';
import type { HttpApiEvent, HttpResult } from './types.js';

export type RouteHandler = (event: HttpApiEvent, context: Context) => Promise<HttpResult>;
export type RouteHandlers = Readonly<Record<string, RouteHandler>>;

/**
 * A function's HTTP entry: finds the route API Gateway matched (`routeKey`) in the route table and runs its
 * implementation. Every route the table gives the function must have one (checked when the function is built,
 * at cold start); anything else is a 404 (or a 405 for a known path), thrown like every other error.
 */
export const dispatch = (table: RouteTable, fn: RoutedFunction, handlers: RouteHandlers) => {
  const missing = table.routes.filter((entry) => entry.function === fn && handlers[entry.name] === undefined);
  if (missing.length > 0)
    throw new Error(`the ${fn} function implements no ${missing.map((entry) => entry.name).join(', ')}`);
  return (event: HttpApiEvent, context: Context): Promise<HttpResult> => {
    const route: RouteDefinition | undefined = table.ofKey(event.routeKey);
    const handler = route !== undefined && route.function === fn ? handlers[route.name] : undefined;
    if (handler === undefined) return notRouted(table, fn, event);
    // Every POST of the callers' API takes a JSON object or nothing: anything else is refused here (400, 415),
    // before its handler may call Meta. A public route checks its caller's proof on the raw bytes first.
    if (route?.method === 'POST' && route.auth === 'iam') jsonObjectBody(event);
    return handler(event, context);
  };
};

const notRouted = (table: RouteTable, fn: RoutedFunction, event: HttpApiEvent): never => {
  const path = event.routeKey.split(' ')[1] ?? event.rawPath;
  if (table.routes.some((entry) => entry.function === fn && entry.path === path)) {
    throw new MethodNotAllowedError(`${event.requestContext.http.method} is not supported on ${path}`);
  }
  throw new NotFoundError(`no route ${event.routeKey}`);
};
