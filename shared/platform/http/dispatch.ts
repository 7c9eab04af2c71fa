import type { Context } from 'aws-lambda';
import { MethodNotAllowedError, NotFoundError } from '../../kernel/errors.js';
import { jsonObjectBody } from './request.js';
import { ROUTES, type RoutedFunction, type RouteNameOf, routeOfKey } from './routes.js';
import type { HttpApiEvent, HttpResult } from './types.js';

export type RouteHandler = (event: HttpApiEvent, context: Context) => Promise<HttpResult>;

/**
 * A function's HTTP entry: finds the route API Gateway matched (`routeKey`) in the one route table and
 * runs its implementation. The record must implement every route the table gives the function (checked
 * at compile time); anything else is a 404 (or a 405 for a known path), thrown like every other error.
 */
export const dispatch =
  <F extends RoutedFunction>(fn: F, handlers: Readonly<Record<RouteNameOf<F>, RouteHandler>>) =>
  (event: HttpApiEvent, context: Context): Promise<HttpResult> => {
    const route = routeOfKey(event.routeKey);
    const byName: Readonly<Record<string, RouteHandler>> = handlers;
    const handler = route !== undefined && route.function === fn ? byName[route.name] : undefined;
    if (handler === undefined) return notRouted(fn, event);
    // Every POST of the callers' API takes a JSON object or nothing: anything else is refused here (400, 415),
    // before its handler may call Meta. The webhook (auth `none`) checks its signature on the raw bytes first.
    if (route?.method === 'POST' && route.auth === 'iam') jsonObjectBody(event);
    return handler(event, context);
  };

const notRouted = (fn: RoutedFunction, event: HttpApiEvent): never => {
  const path = event.routeKey.split(' ')[1] ?? event.rawPath;
  if (ROUTES.some((entry) => entry.function === fn && entry.path === path)) {
    throw new MethodNotAllowedError(`${event.requestContext.http.method} is not supported on ${path}`);
  }
  throw new NotFoundError(`no route ${event.routeKey}`);
};
