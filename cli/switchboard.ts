/**
 * `npm run switchboard -- <noun> <verb> ...`: a thin client of the Switchboard API.
 * Plain HTTP against local mode, SigV4-signed against a deployed stack (`--url`, `SWITCHBOARD_API_URL`).
 */
import { parseArgs } from 'node:util';
import { errorMessage } from '../shared/kernel/errors.js';
import { pathFor, type RouteName, routeNamed } from '../shared/platform/http/routes.js';
import { type ApiResponse, callApi } from './api-client.js';
import {
  formatError,
  formatSolution,
  formatSummary,
  formatSweepStatus,
  formatThread,
  formatWaba,
} from './format.js';
import { replayWindow, tailEvents } from './streams.js';

const USAGE = `usage: npm run switchboard -- <noun> <verb> [arguments] [--json] [--url URL] [--region REGION]

  solutions list [--limit N] [--cursor C]
  solutions get <solutionId>
  solutions accept <solutionId> [--partner-app APP_ID] [--permissions P1,P2,...]
  solutions reject <solutionId>
  solutions deactivate <solutionId>                 send a deactivation request
  solutions accept-deactivation <solutionId>
  solutions reject-deactivation <solutionId>
  wabas get <wabaId>
  wabas list --solution <solutionId> [--limit N] [--cursor C]
  threads get <pageId> <userId> [--refresh]          --refresh asks Meta (thread_owner)
  threads take|request|release <pageId> <userId> [--metadata TEXT]
  threads pass <pageId> <userId> --to <appId> [--metadata TEXT]
  threads extend <pageId> <userId> --duration <seconds | 24h | 7d>
  threads metadata <pageId> <userId> --to <appId> --metadata TEXT
  pages get <pageId>
  tokens refresh <businessId>                        fetch a customer's business token(s) again
  events tail [--once]                               local mode: print domain events as they come
  replay --from <epoch s> --to <epoch s>             put archived deliveries of a window back through
  reconcile                                          run one reconciliation now (continues the sweep)
  reconcile status                                   the sweep in progress and the last completed one

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

class UsageError extends Error {}

const need = (value: string | undefined, what: string): string => {
  if (value === undefined || value === '') throw new UsageError(`missing ${what}`);
  return value;
};

/** `90`, `90s`, `24h`, `7d` → seconds. */
const seconds = (text: string | undefined): number => {
  const match = /^(\d+)([smhd]?)$/.exec(text ?? '');
  if (match === null) throw new UsageError('--duration must be a number of seconds, or like 24h or 7d');
  const unit = { '': 1, s: 1, m: 60, h: 3_600, d: 86_400 }[match[2] ?? ''] ?? 1;
  return Number(match[1]) * unit;
};

/** A request names its route in the one route table; method and path come from there. */
type Request = {
  route: RouteName;
  parameters?: Record<string, string>;
  query?: Record<string, string | undefined>;
  body?: unknown;
  format?: (body: Record<string, unknown>) => string;
};

const list = (format: (row: Record<string, unknown>) => string) => (body: Record<string, unknown>) =>
  [
    ...((body.items as Record<string, unknown>[]) ?? []).map(format),
    body.nextCursor ? `more: --cursor ${body.nextCursor}` : '',
  ]
    .filter(Boolean)
    .join('\n') || '(none)';

const SOLUTION_VERBS: Record<string, RouteName> = {
  get: 'solutions.get',
  accept: 'solutions.accept',
  reject: 'solutions.reject',
  deactivate: 'solutions.deactivate',
  'accept-deactivation': 'solutions.acceptDeactivation',
  'reject-deactivation': 'solutions.rejectDeactivation',
};

const solutions = (verb: string | undefined, args: string[]): Request => {
  const page = { limit: values.limit, cursor: values.cursor };
  if (verb === 'list') return { route: 'solutions.list', query: page, format: list(formatSolution) };
  const route = SOLUTION_VERBS[verb ?? ''];
  if (route === undefined) throw new UsageError(`unknown command: solutions ${verb ?? ''}`);
  const terms = {
    ...(values['partner-app'] ? { partnerAppId: values['partner-app'] } : {}),
    ...(values.permissions ? { partnerPermissions: values.permissions.split(',').map((p) => p.trim()) } : {}),
  };
  return {
    route,
    parameters: { solutionId: need(args[0], 'solutionId') },
    ...(route === 'solutions.accept' ? { body: terms } : {}),
    format: formatSolution,
  };
};

const THREAD_VERBS: Record<string, RouteName> = {
  take: 'threads.take',
  request: 'threads.request',
  release: 'threads.release',
  pass: 'threads.pass',
  extend: 'threads.extend',
  metadata: 'threads.metadata',
};

const threadBody = (verb: string): unknown => {
  const metadata = values.metadata === undefined ? {} : { metadata: values.metadata };
  if (verb === 'pass') return { targetAppId: need(values.to, '--to'), ...metadata };
  if (verb === 'extend') return { durationSeconds: seconds(values.duration) };
  if (verb === 'metadata') return { targetAppId: need(values.to, '--to'), metadata: values.metadata };
  return metadata;
};

const threads = (verb: string | undefined, args: string[]): Request => {
  const parameters = { pageId: need(args[0], 'pageId'), userId: need(args[1], 'userId') };
  if (verb === 'get') {
    return {
      route: 'threads.get',
      parameters,
      query: values.refresh ? { refresh: 'true' } : {},
      format: formatThread,
    };
  }
  const route = THREAD_VERBS[verb ?? ''];
  if (route === undefined || verb === undefined)
    throw new UsageError(`unknown command: threads ${verb ?? ''}`);
  return { route, parameters, body: threadBody(verb), format: formatThread };
};

const plan = (noun: string | undefined, verb: string | undefined, args: string[]): Request => {
  const page = { limit: values.limit, cursor: values.cursor };
  if (noun === 'solutions') return solutions(verb, args);
  if (noun === 'wabas' && verb === 'get')
    return { route: 'wabas.get', parameters: { wabaId: need(args[0], 'wabaId') }, format: formatWaba };
  if (noun === 'wabas' && verb === 'list')
    return {
      route: 'wabas.list',
      query: { solutionId: need(values.solution, '--solution'), ...page },
      format: list(formatWaba),
    };
  if (noun === 'threads') return threads(verb, args);
  if (noun === 'pages' && verb === 'get')
    return { route: 'pages.get', parameters: { pageId: need(args[0], 'pageId') } };
  if (noun === 'reconcile' && verb === 'status')
    return { route: 'reconcile.status', format: formatSweepStatus };
  if (noun === 'reconcile' && verb === undefined) return { route: 'reconcile.run', format: formatSummary };
  if (noun === 'tokens' && verb === 'refresh')
    return { route: 'tokens.refresh', parameters: { businessId: need(args[0], 'businessId') } };
  throw new UsageError(`unknown command: ${[noun, verb].filter(Boolean).join(' ') || '(none)'}`);
};

const baseUrl = () =>
  values.url ?? process.env.SWITCHBOARD_API_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`;

const main = async (): Promise<number> => {
  const [noun, verb, ...args] = positionals;
  if (values.help || noun === undefined) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  if (noun === 'replay') {
    try {
      return await replayWindow(baseUrl(), {
        from: Number(need(values.from, '--from')),
        to: Number(need(values.to, '--to')),
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
  let request: Request;
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
      routeNamed(request.route).method,
      pathFor(request.route, request.parameters),
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
