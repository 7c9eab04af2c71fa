import { ConfigError } from '../../kernel/errors.js';
import { ENV } from '../../platform/config/constants.js';
import { EnvReader } from '../../platform/config/env.js';
import type { ConsumerSpec } from '../../platform/consumers/consumer.js';
import type { ConsumerPorts } from '../../platform/domain/domain.js';
import { businessTokenFollowUp } from './business-tokens.js';
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

/**
 * The WABAs consumer: an `account_update` change, decoded and applied with one conditional write; a
 * PARTNER_ADDED for one of our solutions then queues a business-token job (when business tokens are on).
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
  const followUp = config.businessTokens
    ? businessTokenFollowUp((body) => jobs.send(BUSINESS_TOKEN_JOBS.name, body), config.ourBusinessId)
    : undefined;
  return {
    domain: wabasManifest.name,
    decode: (change) => markOurs(decodeWabaChange(change), config.ourAppId),
    apply: (event) => repository.apply(event),
    async afterApply(event, outcome) {
      // Counted once per onboarding event (a redelivery is a duplicate): feeds the 200-per-week limit alarm.
      if (outcome === 'applied' && event.event === 'PARTNER_ADDED') telemetry.count('CustomerOnboarded');
      if (followUp !== undefined) await followUp(event);
    },
  };
};
