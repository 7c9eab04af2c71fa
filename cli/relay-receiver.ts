/**
 * `npx tsx cli/relay-receiver.ts [--port 4000] [--status 200]`: a relay destination for trying the relay in local
 * mode. It verifies each POST's `X-Hub-Signature-256` with Meta's app secret (`META_APP_SECRET`, else local mode's
 * development default) and with every `RELAY_SECRET_<NAME>` in its environment, and prints one line per copy:
 * which secret verified it, its size, and what it holds. `--status 503` answers every copy so (watch the retries).
 */
import { parseArgs } from 'node:util';
import { DEV_DEFAULTS } from '../local/defaults.js';
import { startRelayReceiver } from '../local/relay-receiver.js';
import { relaySecretEnv } from '../shared/app/relay/destinations.js';
import { parseJsonObject } from '../shared/kernel/json.js';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '4000' }, status: { type: 'string' } },
});
const secrets: Record<string, string> = {
  meta: process.env.META_APP_SECRET ?? DEV_DEFAULTS.META_APP_SECRET,
};
for (const [name, value] of Object.entries(process.env))
  if (name.startsWith(relaySecretEnv('')) && value !== undefined && value !== '')
    secrets[`own ${name.slice(relaySecretEnv('').length).toLowerCase().replace(/_/g, '-')}`] = value;

const status = values.status === undefined ? undefined : Number(values.status);
const receiver = await startRelayReceiver({
  port: Number(values.port),
  secrets,
  ...(status === undefined ? {} : { answer: () => ({ status }) }),
});
console.log(`relay receiver at ${receiver.url} (secrets: ${Object.keys(secrets).join(', ')})`);

setInterval(() => {
  for (const copy of receiver.received.splice(0)) {
    const delivery = parseJsonObject(copy.body.toString('utf8'));
    const entries = Array.isArray(delivery?.entry) ? delivery.entry : [];
    const changes = entries.reduce(
      (sum: number, entry) =>
        sum +
        (['changes', 'messaging', 'standby'] as const).reduce((n, list) => {
          const items = (entry as Record<string, unknown>)?.[list];
          return n + (Array.isArray(items) ? items.length : 0);
        }, 0),
      0,
    );
    console.log(
      `${new Date(copy.at).toISOString()} POST ${copy.path} ${copy.body.length} bytes, ${changes} change(s), ` +
        `signature ${copy.verifiedBy === null ? 'NOT verified' : `verified with ${copy.verifiedBy}`}, ` +
        `delivery ${String(copy.headers['x-switchboard-delivery-id'] ?? '-')}`,
    );
  }
}, 200);
