import { createHash, timingSafeEqual } from 'node:crypto';
import { BadRequestError, ForbiddenError } from '../../kernel/errors.js';

const MAX_CHALLENGE_LENGTH = 1024;

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * Meta's subscription check: `hub.mode=subscribe` with our verify token answers the challenge.
 * Returns the challenge to echo; throws 400 for missing parameters and 403 for a wrong mode or token.
 */
export const answerVerification = (
  query: Record<string, string | undefined>,
  verifyToken: string,
): string => {
  const mode = query['hub.mode'];
  const token = query['hub.verify_token'];
  const challenge = query['hub.challenge'];
  // An empty challenge is as missing as an absent one: there would be nothing to echo.
  if (mode === undefined || token === undefined || challenge === undefined || challenge === '') {
    throw new BadRequestError('hub.mode, hub.verify_token and hub.challenge are required');
  }
  if (challenge.length > MAX_CHALLENGE_LENGTH) throw new BadRequestError('hub.challenge is too long');
  // Compare digests so the comparison is constant-time whatever the token lengths are.
  const tokenMatches = timingSafeEqual(digest(token), digest(verifyToken));
  if (mode !== 'subscribe' || !tokenMatches) throw new ForbiddenError('verification failed');
  return challenge;
};
