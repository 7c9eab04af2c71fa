import { DOMAINS, type DomainRoute } from '../domains/registry.js';
import { RouteTable, route } from '../platform/http/routes.js';

/** The routes of the application itself: ingestion, reconciliation, replay and the relay's replay. */
const APP_ROUTES = [
  route('webhook.verify', 'GET', '/webhook', 'webhook', 'none'),
  route('webhook.receive', 'POST', '/webhook', 'webhook', 'none'),
  route('health', 'GET', '/healthz', 'webhook', 'none'),
  route('reconcile.run', 'POST', '/v1/reconcile', 'reconcile'),
  route('reconcile.status', 'GET', '/v1/reconcile', 'reconcile'),
  route('replay.run', 'POST', '/v1/replay', 'reconcile'),
  // Personal data: Meta's Data Deletion Request Callback (signed), its status page, the operator's erasure.
  route('privacy.deletion', 'POST', '/data-deletion', 'privacy', 'none'),
  route('privacy.status', 'GET', '/data-deletion/{confirmationCode}', 'privacy', 'none'),
  route('users.erase', 'DELETE', '/v1/users/{userId}', 'privacy'),
  route('relay.replay', 'POST', '/v1/relay/{name}/replay', 'reconcile'),
] as const;

export type Route = (typeof APP_ROUTES)[number] | DomainRoute;
export type RouteName = Route['name'];

/**
 * Every HTTP route: the application's and each domain's. The stack creates them, each function's dispatch finds
 * its own, local mode matches requests against them, the CLI builds its requests from them.
 */
export const ROUTES = new RouteTable<Route>([
  ...APP_ROUTES,
  ...(DOMAINS.flatMap((domain) => domain.routes) as DomainRoute[]),
]);
