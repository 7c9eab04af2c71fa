import {
  type CliCommands,
  type CliOptions,
  isoMillis,
  need,
  UsageError,
} from '../../platform/domain/commands.js';
import { appName } from './apps.js';

type Row = Record<string, unknown>;

const app = (id: unknown) =>
  typeof id === 'string' ? `${id}${appName(id) ? ` (${appName(id)})` : ''}` : 'nobody';

export const formatThread = (t: Row) => {
  const owner =
    t.ownerAppId === null
      ? t.expired
        ? 'idle (control expired)'
        : 'idle'
      : `owned by ${app(t.ownerAppId)} until ${isoMillis(t.expiresAt)}`;
  const requested = t.requestedOwnerAppId ? `  requested by ${app(t.requestedOwnerAppId)}` : '';
  return `thread ${t.pageId}/${t.userId}  ${owner}  previous ${app(t.previousOwnerAppId)}${requested}${t.metadata ? `  metadata "${t.metadata}"` : ''}`;
};

/** `90`, `90s`, `24h`, `7d` → seconds. */
const seconds = (text: string | undefined): number => {
  const match = /^(\d+)([smhd]?)$/.exec(text ?? '');
  if (match === null) throw new UsageError('--duration must be a number of seconds, or like 24h or 7d');
  const unit = { '': 1, s: 1, m: 60, h: 3_600, d: 86_400 }[match[2] ?? ''] ?? 1;
  return Number(match[1]) * unit;
};

const VERBS: Record<string, string> = {
  take: 'threads.take',
  request: 'threads.request',
  release: 'threads.release',
  pass: 'threads.pass',
  extend: 'threads.extend',
  metadata: 'threads.metadata',
};

const bodyOf = (verb: string, options: CliOptions): unknown => {
  const metadata = options.metadata === undefined ? {} : { metadata: options.metadata };
  if (verb === 'pass') return { targetAppId: need(options.to, '--to'), ...metadata };
  if (verb === 'extend') return { durationSeconds: seconds(options.duration) };
  if (verb === 'metadata') return { targetAppId: need(options.to, '--to'), metadata: options.metadata };
  return metadata;
};

export const threadCommands: CliCommands = {
  nouns: ['threads', 'pages'],
  usage: [
    'threads get <pageId> <userId> [--refresh]          --refresh asks Meta (thread_owner)',
    'threads take|request|release <pageId> <userId> [--metadata TEXT]',
    'threads pass <pageId> <userId> --to <appId> [--metadata TEXT]',
    'threads extend <pageId> <userId> --duration <seconds | 24h | 7d>',
    'threads metadata <pageId> <userId> --to <appId> --metadata TEXT',
    'pages get <pageId>',
  ],
  plan(noun, verb, args, options) {
    if (noun === 'pages')
      return verb === 'get'
        ? { route: 'pages.get', parameters: { pageId: need(args[0], 'pageId') } }
        : undefined;
    const parameters = () => ({ pageId: need(args[0], 'pageId'), userId: need(args[1], 'userId') });
    if (verb === 'get')
      return {
        route: 'threads.get',
        parameters: parameters(),
        query: options.refresh ? { refresh: 'true' } : {},
        format: formatThread,
      };
    const route = VERBS[verb ?? ''];
    if (route === undefined || verb === undefined) return undefined;
    return { route, parameters: parameters(), body: bodyOf(verb, options), format: formatThread };
  },
};
