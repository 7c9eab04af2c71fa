import { BadRequestError } from '../../kernel/errors.js';
import { isMetaId } from '../../kernel/ids.js';

/**
 * A person's ID as Meta gives it: a PSID, IGSID or WhatsApp ID (`wa_id`) or app-scoped ID are digits; WhatsApp's
 * business-scoped user IDs are letters, digits and dots (`US.13491208655302741918`, `user.9373…`), at most 256.
 */
const BUSINESS_SCOPED = /^[A-Za-z0-9][A-Za-z0-9.]{0,255}$/;

export const isUserId = (value: unknown): value is string =>
  isMetaId(value) || (typeof value === 'string' && BUSINESS_SCOPED.test(value));

export const requireUserId = (value: string): string => {
  if (!isUserId(value))
    throw new BadRequestError(
      'userId must be a PSID, IGSID or WhatsApp user ID: digits, or letters, digits and dots (at most 256)',
    );
  return value;
};
