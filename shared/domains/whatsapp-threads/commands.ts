import { type CliCommands, formatList, isoMillis, need, UsageError } from '../../platform/domain/commands.js';

type Row = Record<string, unknown>;

export const formatWhatsappThread = (t: Row) => {
  const owner =
    t.owner === null
      ? 'idle (or unknown)'
      : `owned by ${String(t.owner)} since ${isoMillis(t.ownerSince)} until ${isoMillis(t.expiresAt)}`;
  const handover = t.lastHandover as Row | null;
  const last = handover
    ? `  last ${String(handover.type)} ${String(handover.previousOwnerRole ?? '-')} → ${String(handover.newOwnerRole ?? '-')}`
    : '';
  return `whatsapp thread ${String(t.phoneNumberId)}/${String(t.userId)}  ${owner}  customer wrote ${isoMillis(t.lastCustomerMessageAt)}${last}${t.metadata ? `  metadata "${String(t.metadata)}"` : ''}`;
};

const VERBS: Record<string, string> = {
  pass: 'whatsappThreads.pass',
  take: 'whatsappThreads.take',
  release: 'whatsappThreads.release',
};

/** `whatsapp-threads ...`: read and move WhatsApp conversations (Conversation Routing). */
export const whatsappThreadCommands: CliCommands = {
  nouns: ['whatsapp-threads'],
  usage: [
    'whatsapp-threads get <phoneNumberId> <userId>       userId: phone number or business-scoped user ID',
    'whatsapp-threads list <phoneNumberId> [us|other|idle|<role>] [--limit N] [--cursor C]',
    'whatsapp-threads summary <phoneNumberId> <userId>   the AI summary of the last control_passed',
    'whatsapp-threads take|release <phoneNumberId> <userId> [--metadata TEXT]',
    'whatsapp-threads pass <phoneNumberId> <userId> [--to ai_agent] [--metadata TEXT]   default: escalation',
  ],
  plan(_noun, verb, args, options) {
    const thread = () => ({
      phoneNumberId: need(args[0], 'phoneNumberId'),
      userId: need(args[1], 'userId'),
    });
    if (verb === 'get')
      return { route: 'whatsappThreads.get', parameters: thread(), format: formatWhatsappThread };
    if (verb === 'summary') return { route: 'whatsappThreads.summary', parameters: thread() };
    if (verb === 'list')
      return {
        route: 'whatsappThreads.list',
        parameters: { phoneNumberId: need(args[0], 'phoneNumberId') },
        query: { owner: args[1], limit: options.limit, cursor: options.cursor },
        format: formatList(formatWhatsappThread),
      };
    const route = VERBS[verb ?? ''];
    if (route === undefined) return undefined;
    if (verb !== 'pass' && options.to !== undefined) throw new UsageError(`${verb} takes no --to`);
    return {
      route,
      parameters: thread(),
      body: {
        ...(options.metadata === undefined ? {} : { metadata: options.metadata }),
        ...(verb === 'pass' && options.to !== undefined ? { targetRole: options.to } : {}),
      },
      format: formatWhatsappThread,
    };
  },
};
