import { ConfigError } from '../../kernel/errors.js';
import { ENV } from '../../platform/config/constants.js';
import { EnvReader } from '../../platform/config/env.js';
import type { ConsumerSpec } from '../../platform/consumers/consumer.js';
import type { ConsumerPorts } from '../../platform/domain/domain.js';
import { onboardingJobFor } from '../onboarding/jobs.js';
import { decodeWabaChange } from './decode.js';
import { BUSINESS_TOKEN_JOBS, WABA_ENV, wabasManifest } from './manifest.js';
import { wabaWrites } from './repository.js';
import type { WabaChangeEvent } from './waba.js';

/**
 * An app install event is about our app when it names our app, or names none (it is then about the app that
 * received it); only our own app's uninstall ends our access to the WABA.
 */
const markOurs = (event: WabaChangeEvent, ourAppId: string | undefined): WabaChangeEvent => {
  const app = event.wabaInfo?.partnerAppId ?? null;
  return { ...event, ours: app === null || (ourAppId !== undefined && app === ourAppId) };
};

/** The change as onboarding reads it (`shared/domains/onboarding/jobs.ts`). */
const onboardingChange = (event: WabaChangeEvent) => ({
  wabaId: event.wabaId,
  event: event.event,
  timeMs: event.timeMs,
  ours: event.ours === true,
  solutionId: event.wabaInfo?.solutionId ?? null,
  ownerBusinessId: event.wabaInfo?.ownerBusinessId ?? null,
  partnerBusinessIds: event.wabaInfo?.partnerBusinessIds ?? [],
});

/**
 * The WABAs consumer: an `account_update` change, decoded and applied with one conditional write. When business
 * tokens are on, a PARTNER_ADDED or our app's install through one of our solutions then queues the WABA's
 * onboarding (its first step is the business token), and a deactivating event its offboarding.
 */
export const wabasConsumer = ({
  table,
  telemetry,
  env,
  jobs,
}: ConsumerPorts): ConsumerSpec<WabaChangeEvent> => {
  const reader = new EnvReader(env);
  const config = reader.done({
    businessTokens: reader.boolean(WABA_ENV.businessTokensEnabled, false),
    ourBusinessId: reader.optional(ENV.metaBusinessId),
    ourAppId: reader.optional(ENV.metaAppId),
  });
  if (config.businessTokens && !jobs.has(BUSINESS_TOKEN_JOBS.name))
    throw new ConfigError([
      `business tokens are on but the ${BUSINESS_TOKEN_JOBS.name} queue is not configured`,
    ]);
  const repository = wabaWrites(table);
  return {
    domain: wabasManifest.name,
    decode: (change) => markOurs(decodeWabaChange(change), config.ourAppId),
    apply: (event) => repository.apply(event),
    async afterApply(event, outcome) {
      // Counted once per onboarding event (a redelivery is a duplicate): feeds the 200-per-week limit alarm.
      if (outcome === 'applied' && event.event === 'PARTNER_ADDED') telemetry.count('CustomerOnboarded');
      // Every delivery, duplicates included: a crash between the write and the send cannot lose the job.
      const job = config.businessTokens
        ? onboardingJobFor(onboardingChange(event), config.ourBusinessId)
        : undefined;
      if (job !== undefined) await jobs.send(BUSINESS_TOKEN_JOBS.name, JSON.stringify(job));
    },
  };
};
