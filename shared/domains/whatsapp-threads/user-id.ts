/**
 * Who a WhatsApp thread is with. Meta names the user by phone number (`wa_id`, `from`, `recipient_id`,
 * `sender.phone_number`: digits) and, since usernames, by a business-scoped user ID (BSUID: `user_id`,
 * `from_user_id`, `recipient_user_id`). Meta describes a BSUID as "up to 256 alphanumeric characters", but every
 * published one has dots: the 2026 form `US.13491208655302741918`, its parent `US.ENT.11815799212886844830`, the
 * 2025 form `user.9373795779eb…` (printed elided as `user.93737...` in Meta's own example). The rule is therefore
 * letters, digits and dots, starting with a letter or digit, at most 256 characters: it takes every published form
 * and nothing that could leave a path segment or a key (`/`, `%`, `#`, spaces, `..` alone, `""`).
 */
const WHATSAPP_USER_ID = /^[A-Za-z0-9][A-Za-z0-9.]{0,255}$/;
/** A phone number as Meta writes it in these payloads: digits only, no `+`. */
const PHONE_NUMBER = /^[0-9]{1,20}$/;

export const MAX_WHATSAPP_USER_ID_LENGTH = 256;

/** A thread's user: a phone number or a BSUID (never `""`: Meta sends `"wa_id": ""` when it hides the phone). */
export const isWhatsappUserId = (value: unknown): value is string =>
  typeof value === 'string' && WHATSAPP_USER_ID.test(value);

/** All digits: a phone number (thread_control's `to`); anything else is a BSUID (its `recipient`). */
export const isPhoneNumber = (value: string): boolean => PHONE_NUMBER.test(value);

/** A key value of the threads table (phone number ID or user): what a cursor into it may hold. */
export const isThreadKeyValue = isWhatsappUserId;
