import { DependencyUnavailableError, errorMessage, InvalidEventError } from '../../kernel/errors.js';
import { parseJsonObject } from '../../kernel/json.js';
import { signBody } from '../../platform/http/signature.js';
import type { ClaimReader } from '../../platform/queue/ports.js';
import type { SecretSource } from '../../platform/secrets/meta-secrets.js';
import type { RelayDestination } from './destinations.js';
import { type RelayBody, type RelayMessage, readRelayBody, relayBytes } from './message.js';
import { ownBody } from './own-body.js';

/** What is sent: the bytes and the headers. */
export interface RelayRequest {
  body: Buffer;
  headers: Record<string, string>;
}

export interface RequestSources {
  destination: RelayDestination;
  /** An `own` destination's secret (Secrets Manager in AWS, `RELAY_SECRET_<NAME>` locally). */
  secret: SecretSource<string> | undefined;
  claims: ClaimReader;
}

const SIGNATURE = /^sha256=[0-9a-f]{64}$/i;

const bodyOf = async (message: RelayMessage, claims: ClaimReader): Promise<Buffer> => {
  if (!('claimCheck' in message)) return relayBytes(message as RelayBody);
  let text: string;
  try {
    text = await claims.get(message.claimCheck.key);
  } catch (error) {
    // Claims outlive the messages that point at them (15 days against 14): a read failure is passing.
    throw new DependencyUnavailableError('claim-check store', error);
  }
  return relayBytes(readRelayBody(text));
};

/**
 * The request for one queued copy: `meta` forwards the delivery's bytes with Meta's own signature; `own` sends
 * Meta's envelope holding only the matching changes, signed with the destination's secret in the same header
 * format. Undefined when nothing of the delivery is for the destination any more (its filters changed since).
 */
export const relayRequest = async (
  message: RelayMessage,
  sources: RequestSources,
): Promise<RelayRequest | undefined> => {
  const bytes = await bodyOf(message, sources.claims);
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'Switchboard-Relay/1',
    'x-switchboard-delivery-id': message.deliveryId,
  };
  if (sources.destination.signing === 'meta') {
    if (message.signature === undefined || !SIGNATURE.test(message.signature))
      throw new InvalidEventError('the copy carries no Meta signature to forward');
    return { body: bytes, headers: { ...headers, 'x-hub-signature-256': message.signature } };
  }
  const text = bytes.toString('utf8');
  const delivery = parseJsonObject(text);
  if (delivery === undefined) throw new InvalidEventError('the delivery is not a JSON object');
  let filtered: string | undefined;
  try {
    filtered = ownBody(text, delivery, sources.destination);
  } catch (error) {
    throw new InvalidEventError(errorMessage(error));
  }
  if (filtered === undefined) return undefined;
  const secret = await sources.secret?.get();
  if (secret === undefined || secret === '')
    throw new DependencyUnavailableError('relay secret', `no secret for ${sources.destination.name}`);
  const body = Buffer.from(filtered, 'utf8');
  return { body, headers: { ...headers, 'x-hub-signature-256': signBody(body, secret) } };
};
