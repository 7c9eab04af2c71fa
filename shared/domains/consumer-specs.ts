import type { ConsumerSpec } from '../platform/consumers/consumer.js';
import type { Telemetry } from '../platform/observability/telemetry.js';
import type { SolutionWrites, ThreadWrites, WabaWrites } from './repositories.js';
import { decodeSolutionChange } from './solutions/decode.js';
import { isDocumentedStatus, type SolutionEvent } from './solutions/solution.js';
import { decodeHandover } from './threads/decode.js';
import type { AppRolesEvent, ThreadEvent } from './threads/thread.js';
import { decodeWabaChange } from './wabas/decode.js';
import type { WabaChangeEvent } from './wabas/waba.js';

export const solutionsConsumer = (
  repository: SolutionWrites,
  telemetry: Telemetry,
): ConsumerSpec<SolutionEvent> => ({
  domain: 'solutions',
  decode: decodeSolutionChange,
  apply: (event) => repository.apply(event),
  async afterApply(event) {
    // Stored as given, never a crash; the metric lets an operator notice Meta added a status.
    if (!isDocumentedStatus(event.status)) {
      telemetry.count('UndocumentedSolutionStatus');
      telemetry.logger.warn('undocumented solution status', {
        solutionId: event.solutionId,
        status: event.status,
      });
    }
  },
});

/** Follow-up work after a WABA change, such as fetching the customer's business token. */
export type WabaFollowUp = (event: WabaChangeEvent) => Promise<void>;

/**
 * An app install event is about our app when it names our app, or names none (it is then about the app that
 * received it); only our own app's uninstall ends our access to the WABA.
 */
const markOurs = (event: WabaChangeEvent, ourAppId: string | undefined): WabaChangeEvent => {
  const app = event.wabaInfo?.partnerAppId ?? null;
  return { ...event, ours: app === null || (ourAppId !== undefined && app === ourAppId) };
};

export const wabasConsumer = (
  repository: WabaWrites,
  telemetry: Telemetry,
  followUp?: WabaFollowUp,
  ourAppId?: string,
): ConsumerSpec<WabaChangeEvent> => ({
  domain: 'wabas',
  decode: (change) => markOurs(decodeWabaChange(change), ourAppId),
  apply: (event) => repository.apply(event),
  async afterApply(event, outcome) {
    // Counted once per onboarding event (a redelivery is a duplicate): feeds the 200-per-week limit alarm.
    if (outcome === 'applied' && event.event === 'PARTNER_ADDED') telemetry.count('CustomerOnboarded');
    if (followUp !== undefined) await followUp(event);
  },
});

export const threadsConsumer = (repository: ThreadWrites): ConsumerSpec<ThreadEvent | AppRolesEvent> => ({
  domain: 'threads',
  decode: decodeHandover,
  apply: (event) => repository.apply(event),
});
