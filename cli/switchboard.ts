/**
 * `npm run switchboard -- <noun> <verb> ...`: a thin client of the Switchboard API.
 * Plain HTTP against local mode, SigV4-signed against a deployed stack (`--url`, `SWITCHBOARD_API_URL`).
 */
import { parseArgs } from 'node:util';
import { type ApiResponse, callApi } from './api-client.js';
import { formatError, formatSolution, formatSummary, formatThread, formatWaba } from './format.js';

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
  reconcile                                          run one reconciliation now

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
    to: { type: 'string' },
    duration: { type: 'string' },
    'partner-app': { type: 'string' },
    permissions: { type: 'string' },
  },
});

class UsageError extends Error {}

const need = (value: string | undefined, what: string): string => {
  if (value === undefined || value === '') throw new UsageError(`missing ${what}`);
  return encodeURIComponent(value);
};

/** `90`, `90s`, `24h`, `7d` → seconds. */
const seconds = (text: string | undefined): number => {
  const match = /^(\d+)([smhd]?)$/.exec(text ?? '');
  if (match === null) throw new UsageError('--duration must be a number of seconds, or like 24h or 7d');
  const unit = { '': 1, s: 1, m: 60, h: 3_600, d: 86_400 }[match[2] ?? ''] ?? 1;
  return Number(match[1]) * unit;
};

type Request = {
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
  format?: (body: Record<string, unknown>) => string;
};

const plan = (noun: string | undefined, verb: string | undefined, args: string[]): Request => {
  const page = { limit: values.limit, cursor: values.cursor };
  const list = (format: (row: Record<string, unknown>) => string) => (body: Record<string, unknown>) =>
    [
      ...((body.items as Record<string, unknown>[]) ?? []).map(format),
      body.nextCursor ? `more: --cursor ${body.nextCursor}` : '',
    ]
      .filter(Boolean)
      .join('\n') || '(none)';
  if (noun === 'solutions') {
    if (verb === 'list')
      return { method: 'GET', path: '/v1/solutions', query: page, format: list(formatSolution) };
    const id = need(args[0], 'solutionId');
    const post = (suffix: string, body?: unknown): Request => ({
      method: 'POST',
      path: `/v1/solutions/${id}/${suffix}`,
      body,
      format: formatSolution,
    });
    switch (verb) {
      case 'get':
        return { method: 'GET', path: `/v1/solutions/${id}`, format: formatSolution };
      case 'accept':
        return post('accept', {
          ...(values['partner-app'] ? { partnerAppId: values['partner-app'] } : {}),
          ...(values.permissions
            ? { partnerPermissions: values.permissions.split(',').map((p) => p.trim()) }
            : {}),
        });
      case 'reject':
        return post('reject');
      case 'deactivate':
        return post('deactivation');
      case 'accept-deactivation':
        return post('deactivation/accept');
      case 'reject-deactivation':
        return post('deactivation/reject');
    }
  }
  if (noun === 'wabas') {
    if (verb === 'get')
      return { method: 'GET', path: `/v1/wabas/${need(args[0], 'wabaId')}`, format: formatWaba };
    if (verb === 'list')
      return {
        method: 'GET',
        path: '/v1/wabas',
        query: { solutionId: need(values.solution, '--solution'), ...page },
        format: list(formatWaba),
      };
  }
  if (noun === 'threads') {
    const base = `/v1/threads/${need(args[0], 'pageId')}/${need(args[1], 'userId')}`;
    const metadata = values.metadata === undefined ? {} : { metadata: values.metadata };
    switch (verb) {
      case 'get':
        return {
          method: 'GET',
          path: base,
          query: values.refresh ? { refresh: 'true' } : {},
          format: formatThread,
        };
      case 'take':
      case 'request':
      case 'release':
        return { method: 'POST', path: `${base}/${verb}`, body: metadata, format: formatThread };
      case 'pass':
        return {
          method: 'POST',
          path: `${base}/pass`,
          body: { targetAppId: need(values.to, '--to'), ...metadata },
          format: formatThread,
        };
      case 'extend':
        return {
          method: 'POST',
          path: `${base}/extend`,
          body: { durationSeconds: seconds(values.duration) },
          format: formatThread,
        };
      case 'metadata':
        return {
          method: 'POST',
          path: `${base}/metadata`,
          body: { targetAppId: need(values.to, '--to'), metadata: values.metadata },
          format: formatThread,
        };
    }
  }
  if (noun === 'pages' && verb === 'get')
    return { method: 'GET', path: `/v1/pages/${need(args[0], 'pageId')}` };
  if (noun === 'reconcile') return { method: 'POST', path: '/v1/reconcile', format: formatSummary };
  throw new UsageError(`unknown command: ${[noun, verb].filter(Boolean).join(' ') || '(none)'}`);
};

const main = async (): Promise<number> => {
  const [noun, verb, ...args] = positionals;
  if (values.help || noun === undefined) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  let request: Request;
  try {
    request = plan(noun, noun === 'reconcile' ? undefined : verb, noun === 'reconcile' ? [] : args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n\n${USAGE}`);
    return 2;
  }
  const base =
    values.url ?? process.env.SWITCHBOARD_API_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`;
  let response: ApiResponse;
  try {
    response = await callApi(base, request.method, request.path, {
      query: request.query,
      body: request.body,
      region: values.region,
    });
  } catch (error) {
    console.error(
      `cannot reach ${base}: ${error instanceof Error ? error.message : String(error)}${base.includes('127.0.0.1') ? ' (is `npm start` running?)' : ''}`,
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
