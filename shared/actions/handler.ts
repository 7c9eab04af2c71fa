import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { deadLetterInvalid } from '../consumers/consumer.js';
import { InvalidEventError, NotFoundError } from '../errors.js';
import { httpErrors } from '../http/http-errors.js';
import { jsonObjectBody, pathId, queryParameter } from '../http/request.js';
import { json } from '../http/response.js';
import type { HttpApiEvent, HttpResult } from '../http/types.js';
import { lambda } from '../lambda.js';
import type { Telemetry } from '../observability/telemetry.js';
import type { DeadLetterSink } from '../queue/ports.js';
import { withDeadline } from '../util/deadline.js';
import {
  type BusinessTokenDeps,
  type BusinessTokenJob,
  fetchBusinessToken,
  parseBusinessTokenJob,
} from './business-tokens.js';
import { parseReviewedTerms, type SolutionAction, type SolutionActions } from './solution-actions.js';
import { parseThreadInput, THREAD_ACTIONS, type ThreadAction, type ThreadActions } from './thread-actions.js';

export interface ActionsDeps {
  solutions: SolutionActions;
  threads: ThreadActions;
  businessTokens: BusinessTokenDeps;
  telemetry: Telemetry;
  /** The business-token jobs' DLQ: an invalid job goes there at once. */
  deadLetters: DeadLetterSink;
}

const SOLUTION_ROUTE =
  /^POST \/v1\/solutions\/\{solutionId\}\/(accept|reject|deactivation|deactivation\/accept|deactivation\/reject)$/;
const THREAD_ROUTE = /^POST \/v1\/threads\/\{pageId\}\/\{userId\}\/([a-z]+)$/;

const route = async (event: HttpApiEvent, deps: ActionsDeps): Promise<HttpResult> => {
  if (event.routeKey === 'GET /v1/threads/{pageId}/{userId}') {
    const pageId = pathId(event, 'pageId');
    const userId = pathId(event, 'userId');
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
    return json(200, await deps.solutions.perform(pathId(event, 'solutionId'), action, terms));
  }
  const thread = THREAD_ROUTE.exec(event.routeKey);
  const action = thread?.[1] as ThreadAction | undefined;
  if (action !== undefined && THREAD_ACTIONS.includes(action)) {
    const input = parseThreadInput(action, jsonObjectBody(event));
    return json(
      200,
      await deps.threads.perform(pathId(event, 'pageId'), pathId(event, 'userId'), action, input),
    );
  }
  throw new NotFoundError(`no route ${event.routeKey}`);
};

/** API Gateway ends an integration after 30 s: a call to Meta must finish (or give up) before that. */
export const ACTION_BUDGET_MS = 27_000;
/** Kept free before the function's own timeout to answer. */
const ACTION_MARGIN_MS = 1_500;

/** When every Graph call of this request, retries included, must be done. */
const actionDeadline = (context: Context): number =>
  Date.now() + Math.max(0, Math.min(ACTION_BUDGET_MS, context.getRemainingTimeInMillis() - ACTION_MARGIN_MS));

const isSqsEvent = (event: unknown): event is SQSEvent =>
  typeof event === 'object' && event !== null && Array.isArray((event as { Records?: unknown }).Records);

/**
 * The actions function: the `/v1` action routes (and thread reads, which may refresh from Meta), and the
 * business-token jobs queued by the WABAs consumer.
 */
export const createActionsHandler = (deps: ActionsDeps) => {
  const tokenJob = async (record: SQSRecord) => {
    let job: BusinessTokenJob;
    try {
      job = parseBusinessTokenJob(record.body);
    } catch (error) {
      if (!(error instanceof InvalidEventError)) throw error;
      return deadLetterInvalid(record, error, deps, { messageId: record.messageId });
    }
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
      return withDeadline(actionDeadline(context), () => route(event, deps));
    },
  ).use(httpErrors(deps.telemetry));
};
