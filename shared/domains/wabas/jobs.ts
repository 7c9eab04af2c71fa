import type { SQSRecord } from 'aws-lambda';
import { errorMessage, InvalidEventError } from '../../kernel/errors.js';
import { deadLetterInvalid } from '../../platform/consumers/consumer.js';
import type { Telemetry } from '../../platform/observability/telemetry.js';
import type { DeadLetterSink } from '../../platform/queue/ports.js';
import {
  type BusinessTokenDeps,
  type BusinessTokenJob,
  fetchBusinessToken,
  parseBusinessTokenJob,
  TokenFetchInProgressError,
} from './business-tokens.js';
import { BUSINESS_TOKEN_JOBS } from './manifest.js';

export interface TokenJobDeps {
  tokens: BusinessTokenDeps;
  telemetry: Telemetry;
  /** The job queue's DLQ: an invalid job goes there at once. */
  deadLetters: DeadLetterSink;
}

/**
 * One business-token job (queued by the WABAs consumer after a PARTNER_ADDED): fetch and store the customer's
 * token once. An invalid job goes to the DLQ at once; a failure throws, so SQS delivers the job again.
 */
export const businessTokenJobHandler = (deps: TokenJobDeps) => async (record: SQSRecord) => {
  let job: BusinessTokenJob;
  try {
    job = parseBusinessTokenJob(record.body);
  } catch (error) {
    if (!(error instanceof InvalidEventError)) throw error;
    await deadLetterInvalid(record, error, deps, BUSINESS_TOKEN_JOBS.name, { messageId: record.messageId });
    deps.telemetry.count('EventsProcessed', 1, { Domain: BUSINESS_TOKEN_JOBS.name, Outcome: 'invalid' });
    return;
  }
  try {
    const outcome = await fetchBusinessToken(deps.tokens, job, record.messageId);
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
