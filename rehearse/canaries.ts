import type { Mutation } from './proxy.js';
import { functionsOf, list, referencedId, resourcesOfType, type Template } from './template.js';

/**
 * Changes that must make the rehearsal fail (test/rehearse/canaries.test.ts runs each): if one passed, the
 * rehearsal would be judging nothing.
 */

/** The template with `action` taken out of every statement of the role of the function named `service`. */
export const withoutGrant = (template: Template, service: string, action: string): Template => {
  const copy = JSON.parse(JSON.stringify(template)) as Template;
  const roleId = functionsOf(copy).find((fn) => fn.service === service)?.roleId;
  for (const [, policy] of resourcesOfType(copy, 'AWS::IAM::Policy')) {
    if (!list(policy.Properties?.Roles as unknown[]).some((role) => referencedId(role) === roleId)) continue;
    const document = policy.Properties?.PolicyDocument as { Statement: { Action: string | string[] }[] };
    document.Statement = document.Statement.map((statement) => ({
      ...statement,
      Action: list(statement.Action).filter((name) => name !== action),
    })).filter((statement) => statement.Action.length > 0);
  }
  return copy;
};

/** Every SQS batch a function sends padded to 11 entries (SQS takes at most 10). */
export const elevenEntryBatches: Mutation = (target, input) => {
  if (target !== 'AmazonSQS.SendMessageBatch') return undefined;
  const entries = list(input.Entries as { Id: string }[] | undefined);
  const last = entries.at(-1);
  if (last === undefined) return undefined;
  const padding = Array.from({ length: 11 - entries.length }, (_, index) => ({
    ...last,
    Id: `canary-${index}`,
  }));
  return { ...input, Entries: [...entries, ...padding] };
};

/** A Lambda function with 64 MB of memory, under CloudFormation's minimum of 128. */
export const brokenMemorySize = (template: Template): Template => {
  const copy = JSON.parse(JSON.stringify(template)) as Template;
  const [, first] = resourcesOfType(copy, 'AWS::Lambda::Function')[0] ?? [];
  if (first?.Properties !== undefined) first.Properties.MemorySize = 64;
  return copy;
};
