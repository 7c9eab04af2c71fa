/**
 * `npm run switchboard -- <noun> <verb> ...`: a thin client of the Switchboard API.
 * Plain HTTP against local mode, SigV4-signed against a deployed stack (`--url`, `SWITCHBOARD_API_URL`).
 */
import { parseArgs } from 'node:util';
import { ROUTES, type RouteName } from '../shared/app/routes.js';
import { DOMAIN_MODULES } from '../shared/domains/modules.js';
import { errorMessage } from '../shared/kernel/errors.js';
import { type CliRequest, need, UsageError } from '../shared/platform/domain/commands.js';
import { type ApiResponse, callApi } from './api-client.js';
import { formatErasure, formatError, formatSummary, formatSweepStatus } from './format.js';
import { relayReplayWindow } from './relay.js';
import { replayWindow, tailEvents } from './streams.js';

const commands = DOMAIN_MODULES.flatMap((domain) => (domain.commands === undefined ? [] : [domain.commands]));

const USAGE = `usage: npm run switchboard -- <noun> <verb> [arguments] [--json] [--url URL] [--region REGION]

${commands.flatMap((set) => set.usage.map((line) => `  ${line}`)).join('\n')}
  events tail [--once]                               local mode: print domain events as they come
  replay --from <epoch s> --to <epoch s>             put archived deliveries of a window back through
  relay replay <name> --from <epoch s> --to <epoch s>  queue a window's archived deliveries again for one
                                                     relay destination
  reconcile                                          run one reconciliation now (continues the sweep)
  reconcile status                                   the sweep in progress and the last completed one
  users erase <userId>                               erase a person (PSID, IGSID, WhatsApp user ID) everywhere

Every POST action takes --idempotency-key KEY: the same key and request within 24 hours answers the first
result without calling Meta again (retry a timed-out call with the same key).

The URL defaults to SWITCHBOARD_API_URL, else local mode (http://127.0.0.1:$PORT).`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: 'string' },
    region: { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
    limit: { type: 'string' },
    cursor: { type: 'string' },
    solution: { type: 'string' },
    refresh: { type: 'boolean', default: false },
    metadata: { type: 'string' },
    duration: { type: 'string' },
    'partner-app': { type: 'string' },
    permissions: { type: 'string' },
    'idempotency-key': { type: 'string' },
    once: { type: 'boolean', default: false },
    from: { type: 'string' },
    to: { type: 'string' },
  },
});

/** The application's own commands; each domain's come from its module (`commands.ts`). */
const appCommand = (
  noun: string | undefined,
  verb: string | undefined,
  args: readonly string[],
): CliRequest | undefined => {
  if (noun === 'reconcile' && verb === 'status')
    return { route: 'reconcile.status', format: formatSweepStatus };
  if (noun === 'reconcile' && verb === undefined) return { route: 'reconcile.run', format: formatSummary };
  if (noun === 'users' && verb === 'erase')
    return { route: 'users.erase', parameters: { userId: need(args[0], 'userId') }, format: formatErasure };
  return undefined;
};

const plan = (noun: string | undefined, verb: string | undefined, args: string[]): CliRequest => {
  const found =
    appCommand(noun, verb, args) ??
    commands
      .find((set) => noun !== undefined && set.nouns.includes(noun))
      ?.plan(noun ?? '', verb, args, values);
  if (found === undefined)
    throw new UsageError(`unknown command: ${[noun, verb].filter(Boolean).join(' ') || '(none)'}`);
  return found;
};

const baseUrl = () =>
  values.url ?? process.env.SWITCHBOARD_API_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`;

const main = async (): Promise<number> => {
  const [noun, verb, ...args] = positionals;
  if (values.help || noun === undefined) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  if (noun === 'replay' || (noun === 'relay' && verb === 'replay')) {
    try {
      const window = { from: Number(need(values.from, '--from')), to: Number(need(values.to, '--to')) };
      if (noun === 'relay')
        return await relayReplayWindow(baseUrl(), {
          name: need(args[0], '<name>'),
          ...window,
          region: values.region,
          json: values.json,
        });
      return await replayWindow(baseUrl(), {
        ...window,
        region: values.region,
        json: values.json,
      });
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      console.error(`${error.message}\n\n${USAGE}`);
      return 2;
    }
  }
  if (noun === 'events' && verb === 'tail')
    return tailEvents(baseUrl(), { once: values.once, json: values.json });
  let request: CliRequest;
  try {
    request = plan(noun, verb, args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n\n${USAGE}`);
    return 2;
  }
  const base = baseUrl();
  let response: ApiResponse;
  try {
    response = await callApi(
      base,
      ROUTES.named(request.route as RouteName).method,
      ROUTES.pathFor(request.route as RouteName, request.parameters),
      {
        query: request.query,
        body: request.body,
        region: values.region,
        ...(values['idempotency-key'] === undefined
          ? {}
          : { headers: { 'idempotency-key': values['idempotency-key'] } }),
      },
    );
  } catch (error) {
    console.error(
      `cannot reach ${base}: ${errorMessage(error)}${base.includes('127.0.0.1') ? ' (is `npm start` running?)' : ''}`,
    );
    return 1;
  }
  const ok = response.status >= 200 && response.status < 300;
  if (values.json) console.log(JSON.stringify(response.body, null, 2));
  else if (!ok) console.error(formatError(response.status, response.body));
  else if (request.format !== undefined && typeof response.body === 'object' && response.body !== null)
    console.log(request.format(response.body as Record<string, unknown>));
  else console.log(JSON.stringify(response.body, null, 2));
  return ok ? 0 : 1;
};

process.exitCode = await main();
