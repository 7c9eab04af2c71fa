import type { ActionGuard } from '../../platform/http/action-guard.js';
import type { RouteHandlers } from '../../platform/http/dispatch.js';
import { pageSize, pathId, queryId, queryParameter } from '../../platform/http/request.js';
import { found, json } from '../../platform/http/response.js';
import { type BusinessTokenDeps, refreshBusinessTokens } from './business-tokens.js';
import type { WabaReads } from './repository.js';

/** The read API's WABA routes. */
export const wabaReadRoutes = (reads: WabaReads) =>
  ({
    'wabas.list': async (event) => {
      const limit = pageSize(event);
      const cursor = queryParameter(event, 'cursor');
      // Without `solutionId`, every WABA (what a newcomer asks first); with it, that solution's only.
      if (event.queryStringParameters?.solutionId === undefined)
        return json(200, await reads.list(limit, cursor));
      return json(200, await reads.listBySolution(queryId(event, 'solutionId'), limit, cursor));
    },
    'wabas.get': async (event) => {
      const wabaId = pathId(event, 'wabaId');
      return found(await reads.get(wabaId), `WABA ${wabaId}`);
    },
  }) satisfies RouteHandlers;

/** `tokens refresh`: fetch a customer's business token(s) again, under the guard. */
export const wabaActionRoutes = (tokens: BusinessTokenDeps, guard: ActionGuard) =>
  ({
    'tokens.refresh': async (event) => {
      const businessId = pathId(event, 'businessId');
      return guard.perform(event, `business#${businessId}`, async () =>
        json(200, await refreshBusinessTokens(tokens, businessId)),
      );
    },
  }) satisfies RouteHandlers;
