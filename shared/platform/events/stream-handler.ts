import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { type Item, liveItem } from '../../kernel/registers.js';
import type { Telemetry } from '../observability/telemetry.js';
import { lambda } from '../runtime/lambda.js';
import type { DeriveEvents } from './domain-event.js';
import type { EventPublisher } from './ports.js';

export interface StreamHandlerDeps {
  publisher: EventPublisher;
  /** Table name → how its domain derives events from one item change. */
  derive: Readonly<Record<string, DeriveEvents>>;
  telemetry: Telemetry;
}

/** `arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>` → `<name>`. */
const tableNameOf = (arn: string | undefined): string | undefined =>
  /:table\/([^/]+)\/stream\//.exec(arn ?? '')?.[1];

/**
 * An image as the read model sees it at the record's time: a tombstone (no register) or an expired item is no
 * item, so an erasure, a TTL deletion or an expired item written anew derives what a new item would.
 */
const imageOf = (image: Record<string, unknown> | undefined, seconds: number): Item | undefined =>
  image === undefined ? undefined : liveItem(unmarshall(image as Record<string, AttributeValue>), seconds);

/**
 * The tables' change streams → domain events. Each stream record holds the item before and after one write,
 * so the events are derived from what the table really holds, after the write succeeded: a consumer that
 * crashes right after its write loses no event. A record whose events cannot be published fails alone and is
 * retried (partial batch response); records are never skipped.
 */
export const createStreamHandler = (deps: StreamHandlerDeps) => {
  const processor = new BatchProcessor(EventType.DynamoDBStreams);
  const record = async (change: DynamoDBRecord) => {
    const name = tableNameOf(change.eventSourceARN);
    const derive = name === undefined ? undefined : deps.derive[name];
    if (derive === undefined)
      throw new Error(`stream record from an unknown table: ${change.eventSourceARN}`);
    const seconds = change.dynamodb?.ApproximateCreationDateTime;
    const at = seconds ?? Math.floor(Date.now() / 1000);
    const before = imageOf(change.dynamodb?.OldImage, at);
    const after = imageOf(change.dynamodb?.NewImage, at);
    const events = derive(before, after);
    if (events.length === 0) return;
    try {
      await deps.publisher.publish(events, seconds === undefined ? new Date() : new Date(seconds * 1000));
    } catch (error) {
      deps.telemetry.count('DomainEventsPublishFailed', events.length);
      throw error;
    }
    for (const event of events)
      deps.telemetry.count('DomainEventsPublished', 1, { DetailType: event.detailType });
  };
  return lambda(deps.telemetry, (event: DynamoDBStreamEvent, context: Context) =>
    processPartialResponse(event, record, processor, { context, throwOnFullBatchFailure: false }),
  );
};
