import {
  type CliCommands,
  type CliRequest,
  formatList,
  isoSeconds,
  need,
  UsageError,
} from '../../platform/domain/commands.js';
import { ONBOARDING_STATES, STEPS } from './model.js';

type Row = Record<string, unknown>;

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** `onboarding failed since …: businessToken done, subscription failed (100 …), …`, or nothing without one. */
export const formatOnboarding = (onboarding: unknown): string => {
  if (typeof onboarding !== 'object' || onboarding === null) return '';
  const { state, steps, startedAt } = onboarding as Row;
  const stepRows = (typeof steps === 'object' && steps !== null ? steps : {}) as Record<string, Row>;
  const parts = STEPS.map((step) => {
    const record = stepRows[step] ?? {};
    const detail = [record.code, record.message].filter((value) => value !== null && value !== undefined);
    const allocation = record.allocationConfigId ? ` allocation ${text(record.allocationConfigId)}` : '';
    return `${step} ${text(record.state)}${allocation}${detail.length > 0 ? ` (${detail.join(' ')})` : ''}`;
  });
  return `onboarding ${text(state)} (started ${isoSeconds(startedAt)}): ${parts.join(', ')}`;
};

const formatRow = (row: Row) => `WABA ${text(row.wabaId)}  ${formatOnboarding(row.onboarding)}`;

const step = (raw: string | undefined): string => {
  const value = need(raw, 'step');
  if (!(STEPS as readonly string[]).includes(value))
    throw new UsageError(`step must be one of ${STEPS.join(', ')}`);
  return value;
};

/** Onboarding's CLI nouns: the stuck list, retry and skip of a step, the credit line's revocation. */
export const onboardingCommands = (format: (row: Row) => string): CliCommands => ({
  nouns: ['onboardings', 'onboarding', 'credit-line'],
  usage: [
    `onboardings list <${ONBOARDING_STATES.join('|')}> [--limit N] [--cursor C]`,
    `onboarding retry <wabaId> <${STEPS.join('|')}>   run the step again (reads Meta first)`,
    'onboarding skip <wabaId> <step>                   take a step out of the onboarding',
    'credit-line revoke <wabaId>                       revoke the credit line shared with the WABA',
  ],
  plan(noun, verb, args, options): CliRequest | undefined {
    if (noun === 'onboardings' && verb === 'list')
      return {
        route: 'onboardings.list',
        query: { state: need(args[0], 'state'), limit: options.limit, cursor: options.cursor },
        format: formatList(formatRow),
      };
    if (noun === 'onboarding' && (verb === 'retry' || verb === 'skip'))
      return {
        route: verb === 'retry' ? 'onboarding.retry' : 'onboarding.skip',
        parameters: { wabaId: need(args[0], 'wabaId'), step: step(args[1]) },
        format,
      };
    if (noun === 'credit-line' && verb === 'revoke')
      return { route: 'creditLine.revoke', parameters: { wabaId: need(args[0], 'wabaId') }, format };
    return undefined;
  },
});
