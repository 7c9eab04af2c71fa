import { type CliCommands, formatList, isoSeconds, need } from '../../platform/domain/commands.js';

type Row = Record<string, unknown>;

export const formatSolution = (s: Row) =>
  `solution ${s.solutionId}  ${s.status}  since ${isoSeconds(s.statusChangedAt)}${s.name ? `  "${s.name}"` : ''}  (last: ${s.lastEvent} via ${s.lastSource})`;

const VERBS: Record<string, string> = {
  get: 'solutions.get',
  accept: 'solutions.accept',
  reject: 'solutions.reject',
  deactivate: 'solutions.deactivate',
  'accept-deactivation': 'solutions.acceptDeactivation',
  'reject-deactivation': 'solutions.rejectDeactivation',
};

export const solutionCommands: CliCommands = {
  nouns: ['solutions'],
  usage: [
    'solutions list [--limit N] [--cursor C]',
    'solutions get <solutionId>',
    'solutions accept <solutionId> [--partner-app APP_ID] [--permissions P1,P2,...]',
    'solutions reject <solutionId>',
    'solutions deactivate <solutionId>                 send a deactivation request',
    'solutions accept-deactivation <solutionId>',
    'solutions reject-deactivation <solutionId>',
  ],
  plan(_noun, verb, args, options) {
    if (verb === 'list')
      return {
        route: 'solutions.list',
        query: { limit: options.limit, cursor: options.cursor },
        format: formatList(formatSolution),
      };
    const route = VERBS[verb ?? ''];
    if (route === undefined) return undefined;
    const terms = {
      ...(options['partner-app'] ? { partnerAppId: options['partner-app'] } : {}),
      ...(options.permissions
        ? { partnerPermissions: options.permissions.split(',').map((permission) => permission.trim()) }
        : {}),
    };
    return {
      route,
      parameters: { solutionId: need(args[0], 'solutionId') },
      ...(route === 'solutions.accept' ? { body: terms } : {}),
      format: formatSolution,
    };
  },
};
