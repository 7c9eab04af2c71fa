import { BadRequestError } from '../../kernel/errors.js';
import { isMetaId } from '../../kernel/ids.js';

/**
 * A person's ID as Meta gives it: a PSID, IGSID, WhatsApp ID (`wa_id`) or app-scoped ID is digits; a WhatsApp
 * business-scoped user ID is a prefix of letters, a dot and letters and digits (`US.13491208655302741918` in 2026,
 * `user.9373795779eb…` in 2025), at most 256. Anything else (`constructor`, `1e3`, `..`) is no one's ID.
 */
const BUSINESS_SCOPED = /^(?=.{3,256}$)[A-Za-z]{1,16}\.[A-Za-z0-9]+$/;

export const isUserId = (value: unknown): value is string =>
  isMetaId(value) || (typeof value === 'string' && BUSINESS_SCOPED.test(value));

export const requireUserId = (value: string): string => {
  if (!isUserId(value))
    throw new BadRequestError(
      'userId must be a PSID, IGSID or WhatsApp user ID: digits, or a business-scoped ID such as US.1234 (at most 256)',
    );
  return value;
};
