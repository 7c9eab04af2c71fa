import { isMetaId } from '../../kernel/ids.js';
import { isRecord } from '../../kernel/json.js';
import { CLAIM_PREFIX } from '../../platform/config/constants.js';

/**
 * Relay destinations: configuration only (`switchboard:relay` CDK context in AWS, `RELAY_DESTINATIONS` JSON in
 * local mode), never an API call. Pure and free of packages, so the CDK app validates the same rules at synth
 * that each function checks again at cold start.
 */

/** `meta`: the delivery's own bytes and Meta's signature. `own`: only the matching changes, signed with its secret. */
export type RelaySigning = 'meta' | 'own';

export interface RelayDestination {
  /** Lowercase letters, digits and dashes: its queue (`relay:<name>`), logical IDs and redrive name. */
  readonly name: string;
  readonly url: string;
  /** Webhook fields it receives (`messages`, `statuses` ride in `messages`, `messaging_handovers`, ...), or `*`. */
  readonly fields: readonly string[];
  readonly wabaIds?: readonly string[];
  readonly phoneNumberIds?: readonly string[];
  readonly pageIds?: readonly string[];
  readonly signing: RelaySigning;
  /** Requests in flight at most (AWS: the event source's maximum concurrency, at least 2). */
  readonly concurrency: number;
  /** Per-request timeout. */
  readonly timeoutSeconds: number;
  /** Attempts before a delivery goes to the destination's DLQ with the last reason. */
  readonly maxAttempts: number;
}

/** Where a destination may be: HTTPS only in AWS; local mode also takes plain HTTP to a loopback address. */
export type UrlRule = 'https' | 'https-or-loopback-http';

export const RELAY_DEFAULTS = { concurrency: 4, timeoutSeconds: 10, maxAttempts: 20 } as const;
const LIMITS = {
  concurrency: [2, 100],
  timeoutSeconds: [1, 30],
  maxAttempts: [1, 100],
} as const;
const MAX_DESTINATIONS = 20;
const NAME = /^(?=.{1,40}$)[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const FIELD = /^([a-z][a-z0-9_]{0,63}|\*)$/;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
const KNOWN_KEYS = new Set([
  'name',
  'url',
  'fields',
  'wabaIds',
  'phoneNumberIds',
  'pageIds',
  'signing',
  'concurrency',
  'timeoutSeconds',
  'maxAttempts',
]);

/** Environment variables that carry relay configuration to the functions (and local mode). */
export const RELAY_ENV = {
  /** Every destination, as JSON: the webhook routes with it, the replay function finds its destination in it. */
  destinations: 'RELAY_DESTINATIONS',
  /** One deliverer's destination, as JSON. */
  destination: 'RELAY_DESTINATION',
  /** An `own` destination's secret in Secrets Manager (AWS). */
  secretArn: 'RELAY_SECRET_ARN',
  /** A deliverer's own queue (for backoff through its visibility timeout). */
  queueUrl: 'RELAY_QUEUE_URL',
} as const;

/** Claim checks of relayed bodies: under the webhook's claims/ prefix; the deliverers read only these. */
export const RELAY_CLAIM_PREFIX = `${CLAIM_PREFIX}relay/`;

const stem = (name: string): string => name.toUpperCase().replace(/[^A-Z0-9]+/g, '_');

/** `relay:<name>`: the queue's name in the sinks, the DLQ messages, local mode and `npm run redrive`. */
export const relayQueueName = (name: string): string => `relay:${name}`;
/** `crm-eu` → `RelayCrmEu`: the stem of its logical IDs and stack outputs. */
export const relayTitle = (name: string): string =>
  `Relay${name
    .split('-')
    .map((part) => (part === '' ? '' : `${part.charAt(0).toUpperCase()}${part.slice(1)}`))
    .join('')}`;
/** `RELAY_CRM_EU_QUEUE_URL`: the destination's queue URL in the webhook's and the replay's environment. */
export const relayQueueUrlEnv = (name: string): string => `RELAY_${stem(name)}_QUEUE_URL`;
/** Local mode: an `own` destination's secret (`RELAY_SECRET_CRM_EU`). */
export const relaySecretEnv = (name: string): string => `RELAY_SECRET_${stem(name)}`;
/** The deliverer's metrics and logs: one `service` per destination. */
export const relayService = (name: string): string => `relay-${name}`;

const isLoopbackUrl = (url: URL): boolean => LOOPBACK_HOSTS.has(url.hostname);

/** Why a destination URL is refused under the rule, or undefined when it is fine. */
export const urlProblem = (raw: string, rule: UrlRule): string | undefined => {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not a URL';
  }
  if (raw.length > 2_048) return 'is longer than 2048 characters';
  if (url.username !== '' || url.password !== '') return 'must not carry credentials (they would be logged)';
  if (url.hash !== '') return 'must not have a #fragment';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && rule === 'https-or-loopback-http' && isLoopbackUrl(url)) return undefined;
  return rule === 'https'
    ? 'must be https:// (plain HTTP only to loopback, in local mode)'
    : 'must be https://, or http:// to 127.0.0.1, localhost or [::1]';
};

const wholeIn = (value: unknown, [low, high]: readonly [number, number]) =>
  typeof value === 'number' && Number.isInteger(value) && value >= low && value <= high;

/** One destination, checked; every problem is pushed with the destination's position. */
const parseOne = (raw: unknown, index: number, rule: UrlRule, problems: string[]): RelayDestination => {
  const where = `destination ${index}`;
  const problem = (text: string) => problems.push(`${where}: ${text}`);
  if (!isRecord(raw)) {
    problem('must be an object');
    return { name: '', url: '', fields: [], signing: 'own', ...RELAY_DEFAULTS };
  }
  for (const key of Object.keys(raw)) if (!KNOWN_KEYS.has(key)) problem(`unknown key "${key}"`);
  const name = typeof raw.name === 'string' ? raw.name : '';
  if (!NAME.test(name))
    problem('name must be lowercase letters and digits, single dashes between (at most 40), e.g. "crm-eu"');
  const url = typeof raw.url === 'string' ? raw.url : '';
  const bad = urlProblem(url, rule);
  if (bad !== undefined) problem(`url ${bad}`);
  const fields = Array.isArray(raw.fields) ? raw.fields : [];
  if (fields.length === 0 || !fields.every((field) => typeof field === 'string' && FIELD.test(field)))
    problem('fields must be a non-empty list of webhook field names (e.g. "messages") or "*"');
  if (raw.signing !== 'meta' && raw.signing !== 'own') problem('signing must be "meta" or "own"');
  const ids: Partial<Record<'wabaIds' | 'phoneNumberIds' | 'pageIds', string[]>> = {};
  for (const key of ['wabaIds', 'phoneNumberIds', 'pageIds'] as const) {
    const list = raw[key];
    if (list === undefined) continue;
    if (!Array.isArray(list) || list.length === 0 || !list.every(isMetaId))
      problem(`${key} must be a non-empty list of Meta IDs given as strings of digits`);
    else ids[key] = list;
  }
  const numbers: Record<keyof typeof LIMITS, number> = { ...RELAY_DEFAULTS };
  for (const key of ['concurrency', 'timeoutSeconds', 'maxAttempts'] as const) {
    const given = raw[key];
    if (given === undefined) continue;
    if (typeof given === 'number' && wholeIn(given, LIMITS[key])) numbers[key] = given;
    else problem(`${key} must be a whole number from ${LIMITS[key][0]} to ${LIMITS[key][1]}`);
  }
  return {
    name,
    url,
    fields: fields.filter((field): field is string => typeof field === 'string'),
    ...ids,
    signing: raw.signing === 'meta' ? 'meta' : 'own',
    ...numbers,
  };
};

/**
 * The destinations of a configuration value (already parsed JSON, or its text), every rule checked at once:
 * throws one Error naming every problem. `undefined`, `null` and `''` mean no destinations.
 */
export const parseRelayDestinations = (value: unknown, rule: UrlRule): RelayDestination[] => {
  if (value === undefined || value === null || value === '') return [];
  let raw = value;
  if (typeof value === 'string') {
    try {
      raw = JSON.parse(value);
    } catch {
      throw new Error('relay destinations must be a JSON array of destinations');
    }
  }
  if (!Array.isArray(raw)) throw new Error('relay destinations must be a JSON array of destinations');
  const problems: string[] = [];
  if (raw.length > MAX_DESTINATIONS) problems.push(`at most ${MAX_DESTINATIONS} destinations`);
  const destinations = raw.map((each, index) => parseOne(each, index, rule, problems));
  const seen = new Set<string>();
  for (const { name } of destinations) {
    // Logical IDs and variable names drop the dashes: `ab` and `a-b` would share them.
    const key = relayTitle(name).toLowerCase();
    if (name !== '' && seen.has(key)) problems.push(`destination names must be distinct: "${name}" repeats`);
    seen.add(key);
  }
  if (problems.length > 0) throw new Error(`relay destinations:\n  ${problems.join('\n  ')}`);
  return destinations;
};
