import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { errorMessage, InvalidEventError } from '../../kernel/errors.js';
import { requireEventTime } from '../../kernel/fields.js';
import type { WriteOutcome } from '../../kernel/registers.js';
import type { Telemetry } from '../observability/telemetry.js';
import type { ChangeEnvelope } from '../queue/envelope.js';
import type { DeadLetterSink } from '../queue/ports.js';
import { lambda } from '../runtime/lambda.js';
import { eventIdHint, readQueueBody } from './queue-body.js';

/** What a domain consumer does with one change: decode it, apply it, optionally follow up. */
export interface ConsumerSpec<E> {
  /** The domain's name: its metrics' `Domain` and its DLQ messages' `queue`. */
  domain: string;
  /** Throws InvalidEventError for a change that can never apply. */
  decode(envelope: ChangeEnvelope): E;
  apply(event: E): Promise<WriteOutcome>;
  /** Runs whatever the outcome, so a redelivery after a crash still completes it; must be idempotent. */
  afterApply?(event: E, outcome: WriteOutcome, envelope: ChangeEnvelope): Promise<void>;
}

export interface ConsumerDeps {
  telemetry: Telemetry;
  /** The queue's DLQ, where an invalid event goes at once with its reason. */
  deadLetters: DeadLetterSink;
}

/** Outcomes of one batch, published as one metric document per outcome instead of one per record. */
export type OutcomeTally = Map<string, number>;

/**
 * A record that can never apply goes to the DLQ now, with the reason and the queue it came from (the name
 * `npm run redrive` takes), and counts as handled (outcome `invalid`); if even that send fails, the record
 * fails and is retried like any other.
 */
export const deadLetterInvalid = async (
  record: SQSRecord,
  error: InvalidEventError,
  deps: Pick<ConsumerDeps, 'deadLetters' | 'telemetry'>,
  queue: string,
  context: Record<string, unknown>,
): Promise<void> => {
  await deps.deadLetters.send(record.body, {
    reason: error.message,
    ...(typeof context.eventId === 'string' ? { eventId: context.eventId } : {}),
    queue,
    sourceMessageId: record.messageId,
  });
  deps.telemetry.logger.error('invalid event moved to the DLQ', { ...context, queue, error: error.message });
};

/**
 * Processes one SQS record. Success (including a stale or duplicate event) returns; an invalid record goes
 * to the DLQ at once with its reason (`deadLetterInvalid`); anything else throws, which reports only this
 * record in `batchItemFailures` so SQS delivers it again.
 */
export const createRecordHandler =
  <E>(spec: ConsumerSpec<E>, deps: ConsumerDeps, tally: OutcomeTally = new Map()) =>
  async (record: SQSRecord): Promise<WriteOutcome | 'invalid'> => {
    const { telemetry } = deps;
    const counted = (outcome: string) => tally.set(outcome, (tally.get(outcome) ?? 0) + 1);
    let envelope: ChangeEnvelope | undefined;
    try {
      envelope = readQueueBody(record.body);
      // Every domain, whatever its decoder reads: an entry whose time Meta could not have sent never applies.
      if (envelope.entryTime !== null && envelope.entryTime !== undefined)
        requireEventTime(envelope.entryTime, 'entry.time', envelope);
      const event = spec.decode(envelope);
      const outcome = await spec.apply(event);
      await spec.afterApply?.(event, outcome, envelope);
      counted(outcome);
      telemetry.logger.debug('event processed', {
        eventId: envelope.eventId,
        deliveryId: envelope.deliveryId,
        kind: envelope.kind,
        outcome,
      });
      return outcome;
    } catch (error) {
      const context = {
        eventId: envelope?.eventId ?? eventIdHint(record.body),
        deliveryId: envelope?.deliveryId,
        messageId: record.messageId,
        receiveCount: record.attributes?.ApproximateReceiveCount,
      };
      let failure = error;
      if (error instanceof InvalidEventError) {
        try {
          await deadLetterInvalid(record, error, deps, spec.domain, context);
          counted('invalid');
          return 'invalid';
        } catch (sendError) {
          // The DLQ did not take it: the record fails like any other and SQS delivers it again.
          failure = sendError;
        }
      }
      counted('failed');
      telemetry.logger.warn('event failed: it will be retried', { ...context, error: errorMessage(failure) });
      throw failure;
    }
  };

/** The Lambda handler body: every record in parallel, failures reported per record, outcomes tallied. */
export const createBatchHandler =
  <E>(spec: ConsumerSpec<E>, deps: ConsumerDeps) =>
  async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const tally: OutcomeTally = new Map();
    // A processor holds one batch's results, so each invocation gets its own.
    const response = await processPartialResponse(
      event,
      createRecordHandler(spec, deps, tally),
      new BatchProcessor(EventType.SQS),
      {
        context,
        throwOnFullBatchFailure: false,
      },
    );
    for (const [outcome, count] of tally)
      deps.telemetry.count('EventsProcessed', count, { Domain: spec.domain, Outcome: outcome });
    return response;
  };

export const createConsumerHandler = <E>(spec: ConsumerSpec<E>, deps: ConsumerDeps) =>
  lambda(deps.telemetry, createBatchHandler(spec, deps));
