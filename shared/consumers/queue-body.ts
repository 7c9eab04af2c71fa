import { InvalidEventError } from '../errors.js';
import type { ChangeEnvelope } from '../queue/envelope.js';
import type { ClaimReader } from '../queue/ports.js';
import { isRecord, parseJsonObject } from '../util/json.js';

const asEnvelope = (value: unknown): ChangeEnvelope => {
  if (
    !isRecord(value) ||
    value.v !== 1 ||
    typeof value.eventId !== 'string' ||
    typeof value.kind !== 'string' ||
    typeof value.object !== 'string' ||
    !('change' in value)
  ) {
    throw new InvalidEventError('message is not a change envelope');
  }
  return value as unknown as ChangeEnvelope;
};

/** The envelope a queue message carries, fetched from the claim store when the message is a pointer. */
export const readQueueBody = async (body: string, claims: ClaimReader): Promise<ChangeEnvelope> => {
  const parsed = parseJsonObject(body);
  if (parsed === undefined) throw new InvalidEventError('message body is not JSON');
  if (isRecord(parsed.claimCheck) && typeof parsed.claimCheck.key === 'string') {
    // A failed fetch is transient (S3 unavailable): it propagates as an ordinary error and is retried.
    const stored = parseJsonObject(await claims.get(parsed.claimCheck.key));
    if (stored === undefined) {
      throw new InvalidEventError(`claim check ${parsed.claimCheck.key} does not hold an envelope`);
    }
    return asEnvelope(stored);
  }
  return asEnvelope(parsed);
};

/** Best-effort event ID of a message that could not be read, for the log line that reports it. */
export const eventIdHint = (body: string): string | undefined =>
  /"eventId"\s*:\s*"([0-9a-f]{1,64})"/.exec(body)?.[1];
