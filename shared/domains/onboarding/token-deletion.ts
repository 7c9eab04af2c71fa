import { randomUUID } from 'node:crypto';
import { isRecord } from '../../kernel/json.js';
import type { Item } from '../../kernel/registers.js';
import type { OnboardingDeps } from './steps/context.js';

/**
 * The business-token secret's life after offboarding. One secret per customer business serves all its WABAs, so
 * the control item `onboarding-business#<businessId>` remembers which WABAs use it and the deletion in progress.
 * Deletion is Secrets Manager's own (`DeleteSecret` with a recovery window of `BUSINESS_TOKEN_GRACE_DAYS`, 7 to
 * 30): a newer onboarding of any of the business's WABAs restores the secret until the window ends, and fetches
 * the token again after. This is the one way Switchboard deletes a business token (personal data uses it too).
 */
export type TokenDeletionDeps = Pick<
  OnboardingDeps,
  'control' | 'secrets' | 'store' | 'subject' | 'settings' | 'now'
>;

export interface ScheduledDeletion {
  secretName: string;
  /** Epoch ms. */
  deleteAfter: number;
  reason: string;
  wabaId: string | null;
  at: number;
}

/** Another holder has the business's item: the caller is retried (its queue) or answers 409 (an action). */
export class BusinessBusyError extends Error {
  public constructor(businessId: string) {
    super(`the business-token record of business ${businessId} is being changed; retried later`);
    this.name = 'BusinessBusyError';
  }
}

const LEASE_MS = 35_000;
const keyOf = (businessId: string) => `onboarding-business#${businessId}`;

const usesOf = (item: Item | undefined): Record<string, number> =>
  isRecord(item?.wabas)
    ? Object.fromEntries(
        Object.entries(item.wabas).filter((entry): entry is [string, number] => typeof entry[1] === 'number'),
      )
    : {};

const deletionOf = (item: Item | undefined): ScheduledDeletion | undefined => {
  const value = item?.deletion;
  if (!isRecord(value) || typeof value.secretName !== 'string' || typeof value.deleteAfter !== 'number')
    return undefined;
  return {
    secretName: value.secretName,
    deleteAfter: value.deleteAfter,
    reason: typeof value.reason === 'string' ? value.reason : '',
    wabaId: typeof value.wabaId === 'string' ? value.wabaId : null,
    at: typeof value.at === 'number' ? value.at : 0,
  };
};

/** Runs `work` holding the business's item (one conditional write takes it). */
const underBusiness = async <T>(
  deps: TokenDeletionDeps,
  businessId: string,
  work: (item: Item | undefined, save: (fields: Item) => Promise<void>) => Promise<T>,
): Promise<T> => {
  const key = keyOf(businessId);
  const owner = randomUUID();
  const now = (deps.now ?? Date.now)();
  if (!(await deps.control.acquireLease(key, owner, now + LEASE_MS, now)))
    throw new BusinessBusyError(businessId);
  try {
    const save = async (fields: Item) => {
      await deps.control.set(key, fields, owner);
    };
    return await work(await deps.control.get(key), save);
  } finally {
    await deps.control.releaseLease(key, owner);
  }
};

/** The WABA uses the business's token (its onboarding stored or found it). */
export const recordTokenUse = (deps: TokenDeletionDeps, businessId: string, wabaId: string): Promise<void> =>
  underBusiness(deps, businessId, async (item, save) => {
    const uses = usesOf(item);
    if (uses[wabaId] !== undefined) return;
    await save({ wabas: { ...uses, [wabaId]: (deps.now ?? Date.now)() } });
  });

/**
 * Undoes a scheduled deletion of the business's token: `restored` while its window runs, `gone` once it has
 * passed (the caller fetches the token again), `none` when nothing was scheduled.
 */
export const cancelTokenDeletion = (
  deps: TokenDeletionDeps,
  businessId: string,
  reason: string,
): Promise<'none' | 'restored' | 'gone'> =>
  underBusiness(deps, businessId, async (item, save) => {
    const deletion = deletionOf(item);
    if (deletion === undefined) return 'none';
    const now = (deps.now ?? Date.now)();
    const restored = deletion.deleteAfter > now && (await deps.secrets.restore(deletion.secretName));
    await save({
      deletion: null,
      lastCancelledDeletion: { ...deletion, cancelledAt: now, cancelReason: reason },
    });
    return restored ? 'restored' : 'gone';
  });

/** What became of a business's token when one of its WABAs was offboarded. */
export type DeletionOutcome =
  | { state: 'scheduled'; secretName: string; deleteAfter: number }
  | { state: 'kept'; secretName: string; reason: string };

/**
 * Schedules the deletion of the business's token secret after `BUSINESS_TOKEN_GRACE_DAYS`, unless another of
 * its WABAs is still active (the token then stays: `kept`). `wabaId` is the WABA that was offboarded (null when
 * the business as a whole is deleted, as a personal-data erasure asks). A deletion already scheduled keeps its
 * date.
 */
export const scheduleTokenDeletion = (
  deps: TokenDeletionDeps,
  request: { businessId: string; secretName: string; reason: string; wabaId: string | null },
): Promise<DeletionOutcome> =>
  underBusiness(deps, request.businessId, async (item, save) => {
    const { secretName, reason, wabaId } = request;
    const uses = usesOf(item);
    const others = Object.keys(uses).filter((id) => id !== wabaId);
    const stillActive =
      wabaId === null
        ? []
        : (await deps.store.items(others))
            .map((other) => deps.subject(other))
            .filter((subject) => subject?.active === true)
            .map((subject) => subject?.wabaId);
    const remaining = Object.fromEntries(Object.entries(uses).filter(([id]) => id !== wabaId));
    if (stillActive.length > 0) {
      await save({ wabas: remaining });
      return { state: 'kept', secretName, reason: `still used by active WABA ${stillActive.join(', ')}` };
    }
    const now = (deps.now ?? Date.now)();
    const deleteAfter =
      (await deps.secrets.scheduleDeletion(secretName, deps.settings.graceDays)) ??
      deletionOf(item)?.deleteAfter ??
      now;
    const deletion: ScheduledDeletion = { secretName, deleteAfter, reason, wabaId, at: now };
    await save({ wabas: remaining, deletion });
    return { state: 'scheduled', secretName, deleteAfter };
  });
