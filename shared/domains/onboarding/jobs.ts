import { InvalidEventError } from '../../kernel/errors.js';
import { isMetaId } from '../../kernel/ids.js';
import { parseJsonObject } from '../../kernel/json.js';

/**
 * Onboarding's jobs, on the business-token job queue the actions function consumes (the queue that has carried the
 * business-token step since before onboarding had more steps). Version 1 bodies are the business-token jobs queued
 * before onboarding; they keep their meaning.
 */
export type OnboardingJob =
  | { v: 2; kind: 'onboard'; wabaId: string; event: string; timeMs: number }
  | { v: 2; kind: 'continue'; wabaId: string }
  | { v: 2; kind: 'offboard'; wabaId: string; event: string; timeMs: number };

/** Events that end our access to a WABA: its business token is then scheduled for deletion. */
const OFFBOARDING_EVENTS = new Set(['PARTNER_REMOVED', 'ACCOUNT_OFFBOARDED', 'ACCOUNT_DELETED']);

const isEventName = (value: unknown): value is string =>
  typeof value === 'string' && /^[A-Za-z_]{1,64}$/.test(value);
const isTime = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** A job body: onboarding's (version 2), `legacy` for a business-token job of version 1; else invalid. */
export const parseOnboardingJob = (body: string): OnboardingJob | 'legacy' => {
  const job = parseJsonObject(body);
  if (job?.v === 1) return 'legacy';
  if (job === undefined || job.v !== 2 || !isMetaId(job.wabaId))
    throw new InvalidEventError('not an onboarding or business token job');
  if (job.kind === 'continue') return { v: 2, kind: 'continue', wabaId: job.wabaId };
  if ((job.kind === 'onboard' || job.kind === 'offboard') && isEventName(job.event) && isTime(job.timeMs))
    return { v: 2, kind: job.kind, wabaId: job.wabaId, event: job.event, timeMs: job.timeMs };
  throw new InvalidEventError(`not an onboarding job (kind ${String(job.kind)})`);
};

/** What the WABAs consumer knows of an `account_update` change, as onboarding needs it. */
export interface OnboardingChange {
  wabaId: string;
  event: string;
  timeMs: number;
  /** For app install events: whether the app is ours. */
  ours: boolean;
  solutionId: string | null;
  ownerBusinessId: string | null;
  partnerBusinessIds: string[];
}

/**
 * The job a change asks for: an onboarding after PARTNER_ADDED or our app's install through one of our solutions
 * (our business among the solution's partners: the customer's business token comes from the solution), an
 * offboarding after PARTNER_REMOVED, ACCOUNT_OFFBOARDED, ACCOUNT_DELETED or our app's uninstall. Sent on every
 * delivery, duplicates included: a crash between the write and the send cannot lose it.
 */
export const onboardingJobFor = (
  change: OnboardingChange,
  ourBusinessId: string | undefined,
): OnboardingJob | undefined => {
  const { wabaId, event, timeMs } = change;
  if (OFFBOARDING_EVENTS.has(event) || (event === 'PARTNER_APP_UNINSTALLED' && change.ours))
    return { v: 2, kind: 'offboard', wabaId, event, timeMs };
  const starts = event === 'PARTNER_ADDED' || (event === 'PARTNER_APP_INSTALLED' && change.ours);
  if (!starts || change.solutionId === null || change.ownerBusinessId === null) return undefined;
  if (ourBusinessId !== undefined && !change.partnerBusinessIds.includes(ourBusinessId)) return undefined;
  return { v: 2, kind: 'onboard', wabaId, event, timeMs };
};
