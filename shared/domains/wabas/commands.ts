import { type CliCommands, type CliRequest, formatList, need } from '../../platform/domain/commands.js';
import { formatOnboarding, onboardingCommands } from '../onboarding/commands.js';

type Row = Record<string, unknown>;

export const formatWaba = (w: Row) =>
  `WABA ${w.wabaId}  ${w.active ? 'active' : `inactive (${w.inactiveReason})`}  solution ${w.solutionId ?? '-'}  owner ${w.ownerBusinessId ?? '-'}` +
  `${w.name ? `  "${w.name}"` : ''}  discovered by ${w.discoveredBy}` +
  (w.onboarding ? `\n  ${formatOnboarding(w.onboarding)}` : '');

const wabaOnly: CliCommands = {
  nouns: ['wabas', 'tokens'],
  usage: [
    'wabas get <wabaId>',
    'wabas list [--solution <solutionId>] [--limit N] [--cursor C]   every WABA, or one solution\u2019s',
    'tokens refresh <businessId>                        fetch a customer\u2019s business token(s) again',
  ],
  plan(noun, verb, args, options): CliRequest | undefined {
    if (noun === 'tokens' && verb === 'refresh')
      return { route: 'tokens.refresh', parameters: { businessId: need(args[0], 'businessId') } };
    if (noun !== 'wabas') return undefined;
    if (verb === 'get')
      return { route: 'wabas.get', parameters: { wabaId: need(args[0], 'wabaId') }, format: formatWaba };
    if (verb === 'list')
      return {
        route: 'wabas.list',
        query: {
          solutionId: options.solution,
          limit: options.limit,
          cursor: options.cursor,
        },
        format: formatList(formatWaba),
      };
    return undefined;
  },
};

const onboarding = onboardingCommands(formatWaba);

/** The WABAs' nouns and their onboarding's. */
export const wabaCommands: CliCommands = {
  nouns: [...wabaOnly.nouns, ...onboarding.nouns],
  usage: [...wabaOnly.usage, ...onboarding.usage],
  plan: (noun, verb, args, options) =>
    wabaOnly.plan(noun, verb, args, options) ?? onboarding.plan(noun, verb, args, options),
};
