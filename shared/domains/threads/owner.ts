import { idOrNull, toMilliseconds } from '../../kernel/fields.js';
import type { ActionInput, ThreadAction } from './input.js';

/** `GET /<PAGE_ID>/thread_owner`'s answer (the earlier take answer has the same shape). */
export interface ThreadOwnerResponse {
  data?: { thread_owner?: { app_id?: unknown; expiration?: unknown } }[];
  success?: unknown;
}

interface OwnerAnswer {
  ownerAppId: string | null;
  /** Meta says the thread is owned but names no app (only an expiration): never idle. */
  ownerUnknown: boolean;
  expiresAt: number | null;
}

/**
 * `thread_owner` (and the earlier take answer): `{data: [{thread_owner: {app_id, expiration}}]}`; an empty
 * `data` is idle. Without `app_id` the thread is "owned, not by an app Meta will name" (Meta names the app only
 * to the owner and the default app), so it never reads idle and its expiry is kept.
 */
export const ownerFrom = (response: ThreadOwnerResponse | undefined): OwnerAnswer | undefined => {
  const owner = response?.data?.[0]?.thread_owner;
  if (owner === undefined || owner === null || typeof owner !== 'object') return undefined;
  const expiration =
    typeof owner.expiration === 'number' ? owner.expiration : Number(owner.expiration ?? Number.NaN);
  const ownerAppId = idOrNull(owner.app_id);
  return {
    ownerAppId,
    ownerUnknown: ownerAppId === null,
    expiresAt: Number.isFinite(expiration) && expiration > 0 ? toMilliseconds(expiration) : null,
  };
};

/**
 * The owner `thread_owner` shows once `action` happened (take: our app; pass: its target; release: nobody), or
 * undefined when `thread_owner` cannot tell: a request, an extension or metadata leave no owner change to read.
 */
export const ownerAfter = (
  action: ThreadAction,
  input: ActionInput,
  ourAppId: string,
): string | null | undefined =>
  action === 'take'
    ? ourAppId
    : action === 'pass'
      ? input.targetAppId
      : action === 'release'
        ? null
        : undefined;

/** Whether a `thread_owner` answer shows `owner` (an app, or nobody). */
export const showsOwner = (response: ThreadOwnerResponse | undefined, owner: string | null): boolean =>
  Array.isArray(response?.data) && (ownerFrom(response)?.ownerAppId ?? null) === owner;
