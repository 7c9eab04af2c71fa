import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { deadLetterInvalid } from '../consumers/consumer.js';
import { errorMessage, InvalidEventError } from '../errors.js';
import { dispatch } from '../http/dispatch.js';
import { httpErrors } from '../http/http-errors.js';
import { jsonObjectBody, pathId, queryParameter } from '../http/request.js';
import { json } from '../http/response.js';
import type { HttpApiEvent, HttpResult } from '../http/types.js';
import { lambda } from '../lambda.js';
import type { Telemetry } from '../observability/telemetry.js';
import type { DeadLetterSink } from '../queue/ports.js';
import type { ControlTable } from '../store/control.js';
import { withDeadline } from '../util/deadline.js';
import { isRecord } from '../util/json.js';
import { ActionGuard } from './action-guard.js';
import {
  type BusinessTokenDeps,
  type BusinessTokenJob,
  fetchBusinessToken,
  parseBusinessTokenJob,
  refreshBusinessTokens,
  TokenFetchInProgressError,
} from './business-tokens.js';
import { parseReviewedTerms, type SolutionAction, type SolutionActions } from './solution-actions.js';
import type { ThreadActions } from './thread-actions.js';
import { parseThreadInput, type ThreadAction } from './thread-input.js';

export interface ActionsDeps {
  solutions: SolutionActions;
  threads: ThreadActions;
  businessTokens: BusinessTokenDeps;
  /** Action leases and idempotency records (the control table). */
  control: ControlTable;
  now?: () => number;
  telemetry: Telemetry;
  /** The business-token jobs' DLQ: an invalid job goes there at once. */
  deadLetters: DeadLetterSink;
}

/**
 * The action routes of the route table, each bound to the action it performs; every POST runs through the
 * guard (one action per solution or thread at a time, `Idempotency-Key`).
 */
const routes = (deps: ActionsDeps) => {
  const guard = new ActionGuard(deps.control, deps.now);
  const solution = (action: SolutionAction) => async (event: HttpApiEvent) => {
    const terms = action === 'accept' ? parseReviewedTerms(jsonObjectBody(event)) : {};
    const solutionId = pathId(event, 'solutionId');
    return guard.perform(event, `solution#${solutionId}`, async () =>
      json(200, await deps.solutions.perform(solutionId, action, terms)),
    );
  };
  const thread = (action: ThreadAction) => async (event: HttpApiEvent) => {
    const input = parseThreadInput(action, jsonObjectBody(event));
    const [pageId, userId] = [pathId(event, 'pageId'), pathId(event, 'userId')];
    return guard.perform(event, `thread#${pageId}#${userId}`, async () =>
      json(200, await deps.threads.perform(pageId, userId, action, input)),
    );
  };
  return dispatch('actions', {
    'threads.get': async (event) => {
      const [pageId, userId] = [pathId(event, 'pageId'), pathId(event, 'userId')];
      const refresh = queryParameter(event, 'refresh') === 'true';
      return json(
        200,
        await (refresh ? deps.threads.refresh(pageId, userId) : deps.threads.read(pageId, userId)),
      );
    },
    'solutions.accept': solution('accept'),
    'solutions.reject': solution('reject'),
    'solutions.deactivate': solution('deactivation'),
    'solutions.acceptDeactivation': solution('deactivation/accept'),
    'solutions.rejectDeactivation': solution('deactivation/reject'),
    'threads.take': thread('take'),
    'threads.pass': thread('pass'),
    'threads.request': thread('request'),
    'threads.release': thread('release'),
    'threads.extend': thread('extend'),
    'threads.metadata': thread('metadata'),
    'tokens.refresh': async (event) => {
      const businessId = pathId(event, 'businessId');
      return guard.perform(event, `business#${businessId}`, async () =>
        json(200, await refreshBusinessTokens(deps.businessTokens, businessId)),
      );
    },
  });
};

/** API Gateway ends an integration after 30 s: a call to Meta must finish (or give up) before that. */
export const ACTION_BUDGET_MS = 27_000;
/** Kept free before the function's own timeout to answer. */
const ACTION_MARGIN_MS = 1_500;

/** When every Graph call of this request, retries included, must be done. */
const actionDeadline = (context: Context): number =>
  Date.now() + Math.max(0, Math.min(ACTION_BUDGET_MS, context.getRemainingTimeInMillis() - ACTION_MARGIN_MS));

/** The business-token jobs' queue, as its DLQ messages and the `invalid` count name it. */
const TOKEN_JOBS = 'business-tokens';

const isSqsEvent = (event: unknown): event is SQSEvent => isRecord(event) && Array.isArray(event.Records);

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
      await deadLetterInvalid(record, error, deps, TOKEN_JOBS, { messageId: record.messageId });
      deps.telemetry.count('EventsProcessed', 1, { Domain: TOKEN_JOBS, Outcome: 'invalid' });
      return;
    }
    try {
      const outcome = await fetchBusinessToken(deps.businessTokens, job, record.messageId);
      if ('carriedBy' in outcome) {
        deps.telemetry.logger.info('business token job carried by the message already fetching it', {
          wabaId: job.wabaId,
          businessId: job.businessId,
          carriedBy: outcome.carriedBy,
        });
        return;
      }
      deps.telemetry.count('BusinessTokensStored');
      deps.telemetry.logger.info('business token stored', { wabaId: job.wabaId, businessId: job.businessId });
    } catch (error) {
      const log =
        error instanceof TokenFetchInProgressError ? deps.telemetry.logger.info : deps.telemetry.logger.warn;
      log.call(deps.telemetry.logger, 'business token fetch failed: it will be retried', {
        wabaId: job.wabaId,
        businessId: job.businessId,
        error: errorMessage(error),
      });
      throw error;
    }
  };
  const http = routes(deps);
  return lambda(
    deps.telemetry,
    async (event: HttpApiEvent | SQSEvent, context: Context): Promise<HttpResult | SQSBatchResponse> => {
      if (isSqsEvent(event)) {
        return processPartialResponse(event, tokenJob, new BatchProcessor(EventType.SQS), {
          context,
          throwOnFullBatchFailure: false,
        });
      }
      return withDeadline(actionDeadline(context), () => http(event, context));
    },
  ).use(httpErrors(deps.telemetry));
};
