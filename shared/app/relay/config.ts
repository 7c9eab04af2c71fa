import { ENV } from '../../platform/config/constants.js';
import { type Env, EnvReader } from '../../platform/config/env.js';
import {
  parseRelayDestinations,
  RELAY_ENV,
  type RelayDestination,
  relayQueueName,
  relayQueueUrlEnv,
  type UrlRule,
} from './destinations.js';

/** Secrets are re-read after this long in a warm container, so a rotated secret needs no redeploy. */
const SECRET_CACHE_SECONDS = 300;

/**
 * The relay's configuration in each function, read and validated once at cold start with every problem
 * reported at once. AWS functions take HTTPS destinations only (the stack refused anything else at synth).
 */

/** Every destination and its queue (`relay:<name>` → URL): the webhook's copies and the relay replay. */
const readRouting = (reader: EnvReader, rule: UrlRule) => {
  const destinations = reader.parsed<RelayDestination[]>(
    RELAY_ENV.destinations,
    (raw) => parseRelayDestinations(raw, rule),
    [],
  );
  const queueUrls = Object.fromEntries(
    destinations.map(({ name }) => [relayQueueName(name), reader.required(relayQueueUrlEnv(name))]),
  );
  return { destinations, queueUrls };
};

export const loadRelayRouting = (env: Env, rule: UrlRule = 'https') => {
  const reader = new EnvReader(env);
  return reader.done(readRouting(reader, rule));
};

/** One destination's deliverer: the destination, its queue and DLQ, its secret (`own`), the claim checks. */
export const loadRelayDelivererConfig = (env: Env) => {
  const reader = new EnvReader(env);
  const [destination] = reader.parsed<RelayDestination[]>(
    RELAY_ENV.destination,
    (raw) => parseRelayDestinations(`[${raw}]`, 'https'),
    [],
  );
  if (destination === undefined) reader.required(RELAY_ENV.destination);
  const secretArn = destination?.signing === 'own' ? reader.required(RELAY_ENV.secretArn) : undefined;
  const config = {
    queueUrl: reader.required(RELAY_ENV.queueUrl),
    deadLetterQueueUrl: reader.required(ENV.deadLetterQueueUrl),
    claimCheckBucket: reader.required(ENV.claimCheckBucket),
    secretArn,
    secretCacheSeconds: reader.integer(ENV.secretCacheSeconds, SECRET_CACHE_SECONDS, 1),
  };
  reader.done(config);
  if (destination === undefined) throw new Error(`${RELAY_ENV.destination} is required`);
  return { destination, ...config };
};
