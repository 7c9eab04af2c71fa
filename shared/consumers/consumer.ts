import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { WriteOutcome } from '../domain/registers.js';
import { InvalidEventError } from '../errors.js';
import { lambda } from '../lambda.js';
import type { Telemetry } from '../observability/telemetry.js';
import type { ChangeEnvelope } from '../queue/envelope.js';
import type { ClaimReader } from '../queue/ports.js';
import { eventIdHint, readQueueBody } from './queue-body.js';

/** What a domain consumer does with one change: decode it, apply it, optionally follow up. */
export interface ConsumerSpec<E> {
  domain: 'solutions' | 'wabas' | 'threads';
  /** Throws InvalidEventError for a change that can never apply. */
  decode(envelope: ChangeEnvelope): E;
  apply(event: E): Promise<WriteOutcome>;
  /** Runs whatever the outcome, so a redelivery after a crash still completes it; must be idempotent. */
  afterApply?(event: E, outcome: WriteOutcome, envelope: ChangeEnvelope): Promise<void>;
}

export interface ConsumerDeps {
  claims: ClaimReader;
  telemetry: Telemetry;
}

/** Outcomes of one batch, published as one metric document per outcome instead of one per record. */
export type OutcomeTally = Map<string, number>;

/**
 * Processes one SQS record. Success (including a stale or duplicate event) returns; anything else
 * throws, which reports only this record in `batchItemFailures`. An invalid record is logged with its
 * event ID and fails every attempt, so the redrive policy moves it to the DLQ after `maxReceiveCount`.
 */
export const createRecordHandler =
  <E>(spec: ConsumerSpec<E>, deps: ConsumerDeps, tally: OutcomeTally = new Map()) =>
  async (record: SQSRecord): Promise<WriteOutcome> => {
    const { telemetry } = deps;
    const counted = (outcome: string) => tally.set(outcome, (tally.get(outcome) ?? 0) + 1);
    let envelope: ChangeEnvelope | undefined;
    try {
      envelope = await readQueueBody(record.body, deps.claims);
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
      const invalid = error instanceof InvalidEventError;
      counted(invalid ? 'invalid' : 'failed');
      const context = {
        eventId: envelope?.eventId ?? eventIdHint(record.body),
        deliveryId: envelope?.deliveryId,
        messageId: record.messageId,
        receiveCount: record.attributes?.ApproximateReceiveCount,
        error: error instanceof Error ? error.message : String(error),
      };
      if (invalid) telemetry.logger.error('invalid event: it will reach the DLQ', context);
      else telemetry.logger.warn('event failed: it will be retried', context);
      throw error;
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
