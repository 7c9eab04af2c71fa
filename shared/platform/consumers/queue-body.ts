import { InvalidEventError } from '../../kernel/errors.js';
import { isRecord, parseJsonObject } from '../../kernel/json.js';
import type { ChangeEnvelope } from '../queue/envelope.js';

const asEnvelope = (value: unknown): ChangeEnvelope => {
  if (
    !isRecord(value) ||
    value.v !== 1 ||
    typeof value.eventId !== 'string' ||
    typeof value.kind !== 'string' ||
    typeof value.object !== 'string' ||
    typeof value.receivedAt !== 'number' ||
    !('change' in value)
  ) {
    throw new InvalidEventError('message is not a change envelope');
  }
  return value as unknown as ChangeEnvelope;
};

/**
 * The envelope a domain queue message carries. Domain changes are a few hundred bytes and always travel
 * inline (up to SQS's 1 MiB); the webhook sends a larger one to passthrough instead, so a claim check here is
 * not a change of this domain: invalid, to the DLQ with the reason (and no S3 code in the consumers).
 */
export const readQueueBody = (body: string): ChangeEnvelope => {
  const parsed = parseJsonObject(body);
  if (parsed === undefined) throw new InvalidEventError('message body is not JSON');
  if (isRecord(parsed.claimCheck))
    throw new InvalidEventError('a claim check reached a domain queue: domain changes travel inline');
  return asEnvelope(parsed);
};

/** Best-effort event ID of a message that could not be read, for the log line that reports it. */
export const eventIdHint = (body: string): string | undefined =>
  /"eventId"\s*:\s*"([0-9a-f]{1,64})"/.exec(body)?.[1];
