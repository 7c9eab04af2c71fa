import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { jsonObjectBody, pathParameter, queryParameter } from '../http/request.js';
import { json, toErrorResponse } from '../http/response.js';
import type { HttpApiEvent, HttpResult } from '../http/types.js';
import { lambda } from '../lambda.js';
import type { Telemetry } from '../observability/telemetry.js';
import { type BusinessTokenDeps, fetchBusinessToken, parseBusinessTokenJob } from './business-tokens.js';
import { parseReviewedTerms, type SolutionAction, type SolutionActions } from './solution-actions.js';
import { parseThreadInput, THREAD_ACTIONS, type ThreadAction, type ThreadActions } from './thread-actions.js';

export interface ActionsDeps {
  solutions: SolutionActions;
  threads: ThreadActions;
  businessTokens: BusinessTokenDeps;
  telemetry: Telemetry;
}

const SOLUTION_ROUTE =
  /^POST \/v1\/solutions\/\{solutionId\}\/(accept|reject|deactivation|deactivation\/accept|deactivation\/reject)$/;
const THREAD_ROUTE = /^POST \/v1\/threads\/\{pageId\}\/\{userId\}\/([a-z]+)$/;

const route = async (event: HttpApiEvent, deps: ActionsDeps): Promise<HttpResult> => {
  if (event.routeKey === 'GET /v1/threads/{pageId}/{userId}') {
    const pageId = pathParameter(event, 'pageId');
    const userId = pathParameter(event, 'userId');
    const thread =
      queryParameter(event, 'refresh') === 'true'
        ? await deps.threads.refresh(pageId, userId)
        : await deps.threads.read(pageId, userId);
    return json(200, thread);
  }
  const solution = SOLUTION_ROUTE.exec(event.routeKey);
  if (solution?.[1] !== undefined) {
    const action = solution[1] as SolutionAction;
    const terms = action === 'accept' ? parseReviewedTerms(jsonObjectBody(event)) : {};
    return json(200, await deps.solutions.perform(pathParameter(event, 'solutionId'), action, terms));
  }
  const thread = THREAD_ROUTE.exec(event.routeKey);
  const action = thread?.[1] as ThreadAction | undefined;
  if (action !== undefined && THREAD_ACTIONS.includes(action)) {
    const input = parseThreadInput(action, jsonObjectBody(event));
    return json(
      200,
      await deps.threads.perform(
        pathParameter(event, 'pageId'),
        pathParameter(event, 'userId'),
        action,
        input,
      ),
    );
  }
  return json(404, { error: 'not_found', message: `no route ${event.routeKey}` });
};

const isSqsEvent = (event: unknown): event is SQSEvent =>
  typeof event === 'object' && event !== null && Array.isArray((event as { Records?: unknown }).Records);

/**
 * The actions function: the `/v1` action routes (and thread reads, which may refresh from Meta), and the
 * business-token jobs queued by the WABAs consumer.
 */
export const createActionsHandler = (deps: ActionsDeps) => {
  const tokenJob = async (record: SQSRecord) => {
    const job = parseBusinessTokenJob(record.body);
    try {
      await fetchBusinessToken(deps.businessTokens, job);
      deps.telemetry.count('BusinessTokensStored');
      deps.telemetry.logger.info('business token stored', { wabaId: job.wabaId, businessId: job.businessId });
    } catch (error) {
      deps.telemetry.logger.warn('business token fetch failed: it will be retried', {
        wabaId: job.wabaId,
        businessId: job.businessId,
        error: error instanceof Error ? error.message : String(error),
      });
      throw error;
    }
  };
  return lambda(
    deps.telemetry,
    async (event: HttpApiEvent | SQSEvent, context: Context): Promise<HttpResult | SQSBatchResponse> => {
      if (isSqsEvent(event)) {
        return processPartialResponse(event, tokenJob, new BatchProcessor(EventType.SQS), {
          context,
          throwOnFullBatchFailure: false,
        });
      }
      try {
        return await route(event, deps);
      } catch (error) {
        const response = toErrorResponse(error);
        const log = {
          routeKey: event.routeKey,
          status: response.statusCode,
          error: error instanceof Error ? error.message : String(error),
        };
        if (response.statusCode >= 500) deps.telemetry.logger.error('action failed', log);
        else deps.telemetry.logger.info('action refused', log);
        return response;
      }
    },
  );
};
