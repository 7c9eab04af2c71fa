import { BadRequestError } from '../../kernel/errors.js';
import { bodyId } from '../../platform/http/request.js';

/** The conversation-control actions, their Graph edges, and what each takes in its body. */
export type ThreadAction = 'take' | 'pass' | 'request' | 'release' | 'extend' | 'metadata';

/** Meta lets control be extended by at most 7 days. */
export const MAX_EXTEND_SECONDS = 7 * 24 * 60 * 60;
/** Meta's limit for handover metadata. */
export const MAX_METADATA_LENGTH = 1000;

export const EDGES: Record<ThreadAction, string> = {
  take: 'take_thread_control',
  pass: 'pass_thread_control',
  request: 'request_thread_control',
  release: 'release_thread_control',
  extend: 'extend_thread_control',
  metadata: 'pass_thread_metadata',
};

export interface ActionInput {
  metadata?: string;
  targetAppId?: string;
  durationSeconds?: number;
}

const optionalMetadata = (body: Record<string, unknown>, required: boolean): string | undefined => {
  const value = body.metadata;
  if (value === undefined || value === null) {
    if (required) throw new BadRequestError('metadata is required');
    return undefined;
  }
  if (typeof value !== 'string') throw new BadRequestError('metadata must be a string');
  if (value.length > MAX_METADATA_LENGTH)
    throw new BadRequestError(`metadata is longer than ${MAX_METADATA_LENGTH} characters`);
  return value;
};

const appIdField = (body: Record<string, unknown>): string => bodyId(body, 'targetAppId');

/** Validates an action's body; 400 names what is wrong. */
export const parseThreadInput = (action: ThreadAction, body: Record<string, unknown>): ActionInput => {
  switch (action) {
    case 'pass':
      return { targetAppId: appIdField(body), metadata: optionalMetadata(body, false) };
    case 'metadata':
      return { targetAppId: appIdField(body), metadata: optionalMetadata(body, true) };
    case 'extend': {
      const duration = body.durationSeconds;
      if (
        typeof duration !== 'number' ||
        !Number.isInteger(duration) ||
        duration < 1 ||
        duration > MAX_EXTEND_SECONDS
      ) {
        throw new BadRequestError(
          `durationSeconds must be a whole number of seconds from 1 to ${MAX_EXTEND_SECONDS} (7 days)`,
        );
      }
      return { durationSeconds: duration };
    }
    default:
      return { metadata: optionalMetadata(body, false) };
  }
};
