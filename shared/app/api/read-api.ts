import type { SolutionReads, ThreadReads, WabaReads } from '../../domains/repositories.js';
import { BadRequestError, NotFoundError } from '../../kernel/errors.js';
import { dispatch } from '../../platform/http/dispatch.js';
import { pathId, queryId, queryParameter } from '../../platform/http/request.js';
import { json } from '../../platform/http/response.js';
import type { HttpApiEvent, HttpResult } from '../../platform/http/types.js';
import { httpLambda } from '../../platform/lambda.js';
import type { Telemetry } from '../../platform/observability/telemetry.js';

export interface ReadApiDeps {
  solutions: SolutionReads;
  wabas: WabaReads;
  threads: ThreadReads;
  telemetry: Telemetry;
}

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 100;

const pageSize = (event: HttpApiEvent): number => {
  const raw = queryParameter(event, 'limit');
  if (raw === undefined) return DEFAULT_PAGE_SIZE;
  // Decimal digits only: Number() would also take `1e2`, `0x10` and ` 5`.
  const limit = /^[0-9]{1,3}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new BadRequestError(`limit must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  }
  return limit;
};

const found = <T>(value: T | undefined, what: string): HttpResult => {
  if (value === undefined) throw new NotFoundError(`${what} is not known`);
  return json(200, value);
};

const routes = (deps: ReadApiDeps) =>
  dispatch('api', {
    'solutions.list': async (event) =>
      json(200, await deps.solutions.list(pageSize(event), queryParameter(event, 'cursor'))),
    'solutions.get': async (event) => {
      const solutionId = pathId(event, 'solutionId');
      return found(await deps.solutions.get(solutionId), `solution ${solutionId}`);
    },
    'wabas.list': async (event) => {
      const solutionId = queryId(event, 'solutionId');
      return json(
        200,
        await deps.wabas.listBySolution(solutionId, pageSize(event), queryParameter(event, 'cursor')),
      );
    },
    'wabas.get': async (event) => {
      const wabaId = pathId(event, 'wabaId');
      return found(await deps.wabas.get(wabaId), `WABA ${wabaId}`);
    },
    'pages.get': async (event) => {
      const pageId = pathId(event, 'pageId');
      return found(await deps.threads.getPageRoles(pageId), `page ${pageId}`);
    },
  });

/** The read API: consistent reads for single items, cursor-paginated lists. */
export const createReadApiHandler = (deps: ReadApiDeps) => httpLambda(deps.telemetry, routes(deps));
