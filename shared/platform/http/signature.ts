import { createHmac, timingSafeEqual } from 'node:crypto';

/** Exactly Meta's form: `sha256=` and 64 hex digits. Anything else (sha1=, odd length, non-hex) fails. */
const SIGNATURE_PATTERN = /^sha256=([0-9a-fA-F]{64})$/;

/**
 * Verifies `X-Hub-Signature-256` (HMAC-SHA256 of the raw body bytes) against every accepted secret.
 * Comparisons are constant-time and every secret is checked, so timing reveals neither the expected
 * digest nor which secret matched. Never throws on malformed input.
 */
export const verifySignature = (
  rawBody: Buffer,
  header: string | undefined,
  secrets: readonly string[],
): boolean => {
  const hex = header === undefined ? undefined : SIGNATURE_PATTERN.exec(header)?.[1];
  if (hex === undefined) return false;
  const given = Buffer.from(hex, 'hex');
  let valid = false;
  for (const secret of secrets) {
    if (secret === '') continue;
    const expected = createHmac('sha256', secret).update(rawBody).digest();
    valid = timingSafeEqual(given, expected) || valid;
  }
  return valid;
};

/** Signs a body the way Meta does; used by the trigger CLI, tests and benchmarks. */
export const signBody = (rawBody: Buffer | string, secret: string): string =>
  `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
