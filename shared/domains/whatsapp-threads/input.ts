import { BadRequestError } from '../../kernel/errors.js';
import { pathParameter } from '../../platform/http/request.js';
import type { HttpApiEvent } from '../../platform/http/types.js';
import type { ThreadControlAction } from './facts.js';
import { isWhatsappUserId, MAX_WHATSAPP_USER_ID_LENGTH } from './user-id.js';
import { ESCALATION, OTHER, type Owner, US } from './view.js';

/**
 * Meta's refusal of a `take` by an app that is not the escalation partner. Published only as "(#100) ..., code
 * 2494191": most likely code 100 with this subcode, possibly the code itself, so both are matched.
 */
export const TAKE_NOT_PERMITTED = 2494191;

/** Free text forwarded in the resulting handover; 2,000 characters is the limit partners document. */
export const MAX_THREAD_METADATA_LENGTH = 2000;
/** The roles a `pass` may name: Meta documents only these two targets. */
export const PASS_TARGETS = ['ai_agent', ESCALATION] as const;
export type PassTarget = (typeof PASS_TARGETS)[number];

export interface ThreadControlInput {
  /** `pass` only: `ai_agent`, or `escalation` (also when absent). */
  targetRole?: PassTarget;
  metadata?: string;
}

/** The WhatsApp user in the path: a phone number or a BSUID (`user-id.ts`); anything else is a 400. */
export const pathUserId = (event: HttpApiEvent): string => {
  const userId = pathParameter(event, 'userId');
  if (!isWhatsappUserId(userId))
    throw new BadRequestError(
      `path parameter userId must be a WhatsApp user: a phone number (digits) or a business-scoped user ID (letters, digits and dots, at most ${MAX_WHATSAPP_USER_ID_LENGTH})`,
    );
  return userId;
};

const metadataOf = (body: Record<string, unknown>): string | undefined => {
  const value = body.metadata;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new BadRequestError('metadata must be a string');
  if (value.length > MAX_THREAD_METADATA_LENGTH)
    throw new BadRequestError(`metadata is longer than ${MAX_THREAD_METADATA_LENGTH} characters`);
  return value;
};

const KNOWN_FIELDS: Record<ThreadControlAction, readonly string[]> = {
  pass: ['targetRole', 'metadata'],
  take: ['metadata'],
  release: ['metadata'],
};

/** An action's body; 400 names what is wrong, before anything calls Meta. */
export const parseThreadControlInput = (
  action: ThreadControlAction,
  body: Record<string, unknown>,
): ThreadControlInput => {
  const unknown = Object.keys(body).filter((key) => !KNOWN_FIELDS[action].includes(key));
  if (unknown.length > 0) throw new BadRequestError(`${action} takes no ${unknown.join(', ')}`);
  const metadata = metadataOf(body);
  const input: ThreadControlInput = metadata === undefined ? {} : { metadata };
  if (action !== 'pass' || body.targetRole === undefined || body.targetRole === null) return input;
  const target = PASS_TARGETS.find((role) => role === body.targetRole);
  if (target === undefined)
    throw new BadRequestError(`targetRole must be ${PASS_TARGETS.join(' or ')} (absent: escalation)`);
  return { ...input, targetRole: target };
};

/** `?owner=`: `us`, `other`, `idle` (nobody, or unknown), or a role Meta names. */
export const ownerFilter = (value: string | undefined): Owner | undefined => {
  if (value === undefined) return undefined;
  if (value === 'idle') return null;
  if (value === US || value === OTHER || /^[a-z][a-z0-9_]{0,63}$/.test(value)) return value;
  throw new BadRequestError('owner must be us, other, idle or a role such as escalation or ai_agent');
};
