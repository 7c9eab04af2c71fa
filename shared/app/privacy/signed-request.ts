import { createHmac, timingSafeEqual } from 'node:crypto';
import { BadRequestError } from '../../kernel/errors.js';
import { parseJsonObject } from '../../kernel/json.js';
import { isUserId } from './user-id.js';

/** What Meta's Data Deletion Request Callback asks, once its signature is verified. */
export interface DeletionRequest {
  /** An app-scoped user ID (Facebook Login), not a PSID, IGSID or WhatsApp ID. */
  userId: string;
  /** Epoch seconds, as Meta sent them (recorded, never enforced: see `parseSignedRequest`). */
  issuedAt: number | null;
  expires: number | null;
}

const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;

/** base64url, with or without `=` padding (Meta's own example is unpadded; a developer reports padded ones). */
const decodeBase64Url = (part: string, what: string): Buffer => {
  if (!BASE64URL.test(part)) throw new BadRequestError(`signed_request ${what} is not base64url`);
  return Buffer.from(part.replace(/=+$/, ''), 'base64url');
};

const numberOrNull = (value: unknown): number | null =>
  typeof value === 'number' && Number.isSafeInteger(value) ? value : null;

/** The two parts of a `signed_request`: `<signature>.<payload>`, both base64url. */
export interface SignedRequestParts {
  signature: Buffer;
  /** The payload as received: the HMAC runs over this encoded text, not over the JSON. */
  payload: string;
}

export const splitSignedRequest = (signedRequest: string): SignedRequestParts => {
  const parts = signedRequest.trim().split('.');
  const [signature, payload] = parts;
  if (
    parts.length !== 2 ||
    signature === undefined ||
    payload === undefined ||
    signature === '' ||
    payload === ''
  )
    throw new BadRequestError('signed_request must be <signature>.<payload>');
  decodeBase64Url(payload, 'payload');
  return { signature: decodeBase64Url(signature, 'signature'), payload };
};

/** HMAC-SHA256 of the encoded payload with each accepted secret, compared in constant time; every one is tried. */
export const signatureValid = (parts: SignedRequestParts, secrets: readonly string[]): boolean => {
  let valid = false;
  for (const secret of secrets) {
    if (secret === '') continue;
    const expected = createHmac('sha256', secret).update(parts.payload).digest();
    valid =
      (parts.signature.length === expected.length && timingSafeEqual(parts.signature, expected)) || valid;
  }
  return valid;
};

/** The payload of a verified request: `algorithm` must be HMAC-SHA256 and `user_id` a user ID. */
export const readDeletionRequest = (parts: SignedRequestParts): DeletionRequest => {
  const data = parseJsonObject(decodeBase64Url(parts.payload, 'payload').toString('utf8'));
  if (data === undefined) throw new BadRequestError('signed_request payload is not a JSON object');
  if (String(data.algorithm ?? '').toUpperCase() !== 'HMAC-SHA256')
    throw new BadRequestError('signed_request algorithm must be HMAC-SHA256');
  const userId = typeof data.user_id === 'number' ? String(data.user_id) : data.user_id;
  if (userId === undefined || userId === null || userId === '')
    throw new BadRequestError('signed_request payload has no user_id');
  if (!isUserId(userId)) throw new BadRequestError('signed_request user_id is not a user ID');
  return { userId, issuedAt: numberOrNull(data.issued_at), expires: numberOrNull(data.expires) };
};

/**
 * Verifies and reads a `signed_request` (https://developers.facebook.com/docs/development/create-an-app/app-dashboard/data-deletion-callback):
 * the signature is HMAC-SHA256 with the app secret (or the previous one, during a rotation) over the ENCODED
 * payload; only then is the payload read. A bad signature, like any other problem, is a 400 that says what is
 * wrong.
 *
 * `expires` is not enforced: Meta's sample code does not check it, its documented example expired in 2010, and a
 * deletion request must not be lost to a delay or a clock. Replaying a genuine request only erases the same
 * user again, which changes nothing.
 */
export const parseSignedRequest = (signedRequest: string, secrets: readonly string[]): DeletionRequest => {
  const parts = splitSignedRequest(signedRequest);
  if (!signatureValid(parts, secrets))
    throw new BadRequestError('signed_request signature does not match the app secret');
  return readDeletionRequest(parts);
};

/** Builds a signed request as Meta does (tests, the rehearsal, the trigger CLI). */
export const signRequest = (payload: Record<string, unknown>, secret: string): string => {
  const encoded = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${createHmac('sha256', secret).update(encoded).digest('base64url')}.${encoded}`;
};
