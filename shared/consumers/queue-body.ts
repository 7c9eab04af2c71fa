import { InvalidEventError } from '../errors.js';
import type { ChangeEnvelope } from '../queue/envelope.js';
import type { ClaimReader } from '../queue/ports.js';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

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
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new InvalidEventError('message body is not JSON');
  }
  if (isRecord(parsed) && isRecord(parsed.claimCheck) && typeof parsed.claimCheck.key === 'string') {
    // A failed fetch is transient (S3 unavailable): it propagates as an ordinary error and is retried.
    const stored = await claims.get(parsed.claimCheck.key);
    try {
      return asEnvelope(JSON.parse(stored));
    } catch {
      throw new InvalidEventError(`claim check ${parsed.claimCheck.key} does not hold an envelope`);
    }
  }
  return asEnvelope(parsed);
};

/** Best-effort event ID of a message that could not be read, for the log line that reports it. */
export const eventIdHint = (body: string): string | undefined =>
  /"eventId"\s*:\s*"([0-9a-f]{1,64})"/.exec(body)?.[1];
