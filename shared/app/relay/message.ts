import { InvalidEventError } from '../../kernel/errors.js';
import { isRecord, parseJsonObject } from '../../kernel/json.js';

/**
 * The delivery's bytes as they travel: as text when they are valid UTF-8 (always, for Meta's JSON), base64
 * otherwise, so that what reaches the destination is exactly what Meta signed.
 */
export type RelayBody = { body: string } | { bodyBase64: string };

/** A body too large for one SQS message waits in the claim-check bucket, once for every destination. */
export interface RelayClaim {
  claimCheck: { key: string; bytes: number };
}

/** One queued copy of a delivery for one destination: the only contract between the webhook and a deliverer. */
export type RelayMessage = {
  v: 1;
  /** The destination's name: a message on another destination's queue is refused. */
  relay: string;
  deliveryId: string;
  /** Epoch ms when the webhook accepted the delivery. */
  receivedAt: number;
  /** Meta's `X-Hub-Signature-256` over the bytes (recomputed with the app secret for a replay). */
  signature?: string;
  /** Set on copies put back from the archive (`POST /v1/relay/{name}/replay`). */
  replay?: true;
} & (RelayBody | RelayClaim);

/** Text when the bytes survive a UTF-8 round trip, base64 otherwise. */
export const relayBody = (bytes: Buffer): RelayBody => {
  const text = bytes.toString('utf8');
  return Buffer.byteLength(text, 'utf8') === bytes.length && Buffer.from(text, 'utf8').equals(bytes)
    ? { body: text }
    : { bodyBase64: bytes.toString('base64') };
};

/** The bytes a body holds. */
export const relayBytes = (body: RelayBody): Buffer =>
  'body' in body ? Buffer.from(body.body, 'utf8') : Buffer.from(body.bodyBase64, 'base64');

/** A claim-check object (`{"body"}` or `{"bodyBase64"}`) read back. */
export const readRelayBody = (text: string): RelayBody => {
  const parsed = parseJsonObject(text);
  if (typeof parsed?.body === 'string') return { body: parsed.body };
  if (typeof parsed?.bodyBase64 === 'string') return { bodyBase64: parsed.bodyBase64 };
  throw new InvalidEventError('relay claim check holds no body');
};

/** A queue message read back; anything else is invalid (to the DLQ with the reason). */
export const readRelayMessage = (text: string): RelayMessage => {
  const parsed = parseJsonObject(text);
  if (
    parsed === undefined ||
    parsed.v !== 1 ||
    typeof parsed.relay !== 'string' ||
    typeof parsed.deliveryId !== 'string' ||
    typeof parsed.receivedAt !== 'number' ||
    (parsed.signature !== undefined && typeof parsed.signature !== 'string')
  )
    throw new InvalidEventError('message is not a relay copy');
  const claim = parsed.claimCheck;
  const hasBody = typeof parsed.body === 'string' || typeof parsed.bodyBase64 === 'string';
  const hasClaim = isRecord(claim) && typeof claim.key === 'string' && typeof claim.bytes === 'number';
  if (!hasBody && !hasClaim) throw new InvalidEventError('relay copy holds neither a body nor a claim check');
  return parsed as unknown as RelayMessage;
};
