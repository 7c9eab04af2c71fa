import type { Node } from 'constructs';
import { parseRelayDestinations, type RelayDestination } from '../../shared/app/relay/destinations.js';

/** The context key of the relay's destinations (`cdk.json`, or `-c 'switchboard:relay=[...]'`). */
export const RELAY_CONTEXT = 'switchboard:relay';

/**
 * Lambda gives a function 4 KB of environment variables in all. The webhook and the reconcile function (about
 * 1.2 KB of their own) carry every destination (as JSON) and one queue URL variable per destination: this much
 * is left for them.
 */
export const RELAY_ENV_BUDGET_BYTES = 2_400;
const QUEUE_URL_VARIABLE_BYTES = 130;

/**
 * The relay's destinations, refused at synth with every problem named: HTTPS only, names, fields, IDs, limits,
 * and a configuration small enough for the webhook's environment.
 */
export const readRelayDestinations = (node: Node): RelayDestination[] => {
  const raw: unknown = node.tryGetContext(RELAY_CONTEXT);
  let destinations: RelayDestination[];
  try {
    destinations = parseRelayDestinations(raw, 'https');
  } catch (error) {
    throw new Error(`${RELAY_CONTEXT}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const bytes =
    Buffer.byteLength(JSON.stringify(destinations)) + destinations.length * QUEUE_URL_VARIABLE_BYTES;
  if (bytes > RELAY_ENV_BUDGET_BYTES)
    throw new Error(
      `${RELAY_CONTEXT}: the destinations take about ${bytes} bytes of the webhook's and reconcile's environment (at most ${RELAY_ENV_BUDGET_BYTES}): list fewer IDs (a number's copies can use Meta's per-number override callback URL instead, docs/relay.md) or fewer destinations`,
    );
  return destinations;
};
