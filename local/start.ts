/**
 * `npm start`: the whole system on this machine. Development defaults fill in whatever the environment
 * leaves unset; only those defaults are printed, never values the user supplied.
 */
import { resolve } from 'node:path';
import { errorMessage } from '../shared/kernel/errors.js';
import { DEV_DEFAULTS } from './defaults.js';
import { startLocalStack } from './stack.js';
import { assertPortFree, claimDataFolder, portInUse, StartRefused } from './start-guards.js';

const env = process.env;
// Quiet by default in a terminal: metrics off, warnings and errors only, unless the user asks otherwise.
env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
env.POWERTOOLS_METRICS_DISABLED ??= 'true';
env.POWERTOOLS_LOG_LEVEL ??= env.LOG_LEVEL ?? 'WARN';
// `npm start` shows the whole onboarding after `npm run trigger -- partner-added` (against the sandbox Graph):
// business tokens, hence onboarding, are on unless the user says otherwise.
env.BUSINESS_TOKENS_ENABLED ??= 'true';

const port = Number(env.PORT ?? 3000);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`PORT must be a port number, got "${env.PORT}"`);
  process.exit(2);
}
const inMemory = env.SWITCHBOARD_IN_MEMORY === 'true' || env.SWITCHBOARD_IN_MEMORY === '1';
const dataDir = inMemory ? undefined : resolve(env.SWITCHBOARD_DATA_DIR ?? '.switchboard');

let folder: { release(): void } | undefined;

const main = async () => {
  // A second `npm start` is told which setting to change before anything starts.
  await assertPortFree(port);
  folder = dataDir === undefined ? undefined : claimDataFolder(dataDir);
  const stack = await startLocalStack({ env, port, ...(dataDir === undefined ? {} : { dataDir }) });
  const defaulted = Object.keys(DEV_DEFAULTS).filter((name) => env[name] === undefined || env[name] === '');
  console.log('Switchboard local mode');
  console.log(`  data:        ${dataDir ?? 'in memory (SWITCHBOARD_IN_MEMORY=true)'}`);
  for (const name of ['META_VERIFY_TOKEN', 'META_APP_SECRET'] as const) {
    if (defaulted.includes(name))
      console.log(`  ${name.padEnd(22)} ${DEV_DEFAULTS[name]}  (development default)`);
  }
  // Names and signing only: a destination's URL may carry a token the user supplied.
  const relayed = stack.relay.destinations.map(({ name, signing }) => `${name} (${signing})`);
  if (relayed.length > 0) console.log(`  relay:       ${relayed.join(', ')}`);
  const health = await fetch(`${stack.url}/healthz`);
  if (health.status !== 200) throw new Error(`/healthz answered ${health.status}`);
  console.log(
    `Switchboard ready at ${stack.url} (webhook: ${stack.url}/webhook; try: npm run trigger -- partner-added)`,
  );

  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    await stack.close();
    folder?.release();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
};

main().catch((error: unknown) => {
  folder?.release();
  // The port can still be taken between the check and the listen.
  const refusal = (error as NodeJS.ErrnoException).code === 'EADDRINUSE' ? portInUse(port) : error;
  const detail = refusal instanceof StartRefused ? refusal.message : errorMessage(refusal);
  console.error(`local mode cannot start: ${detail}`);
  process.exit(1);
});
