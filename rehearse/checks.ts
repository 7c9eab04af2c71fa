import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { BUNDLING } from '../infra/config/bundling.js';
import type { Deployment } from './deployment.js';
import type { Check } from './scenario.js';
import {
  functionsOf,
  list,
  type Resource,
  referencedId,
  resolveValue,
  resourcesOfType,
  type Template,
} from './template.js';

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Principal?: unknown;
  Condition?: Record<string, Record<string, string | string[]>>;
}

const wildcard = (pattern: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );

/** SDK operations whose IAM permission has another name. */
const IAM_NAME: Record<string, string> = {
  'sqs:SendMessageBatch': 'sqs:SendMessage',
  'sqs:DeleteMessageBatch': 'sqs:DeleteMessage',
  'sqs:ChangeMessageVisibilityBatch': 'sqs:ChangeMessageVisibility',
  's3:ListObjectsV2': 's3:ListBucket',
};
const iamAction = (action: string) => IAM_NAME[action] ?? action;

/**
 * The AWS operations a function's code can send: every `XCommand` imported from an `@aws-sdk/client-*`
 * package by any module its bundle contains (our code and libraries such as Powertools), read from the
 * same esbuild build the stack makes. The SDK's own internals are not callers.
 */
const commandsOfFunction = async (root: string, service: string): Promise<string[]> => {
  const result = await build({
    entryPoints: [join(root, 'functions', service, 'handler.ts')],
    bundle: true,
    write: false,
    metafile: true,
    outdir: join(root, 'cdk.out', 'rehearsal-metafile'),
    platform: 'node',
    format: 'esm',
    target: BUNDLING.target,
    mainFields: BUNDLING.mainFields,
    logLevel: 'silent',
  });
  const found = new Set<string>();
  for (const input of Object.keys(result.metafile.inputs)) {
    if (/node_modules\/(@aws-sdk|@smithy)\//.test(input)) continue;
    const source = readFileSync(join(root, input), 'utf8');
    for (const match of source.matchAll(/import\s*\{([^}]*)\}\s*from\s*['"]@aws-sdk\/client-([\w-]+)['"]/g)) {
      const prefix = IAM_PREFIX[match[2] ?? ''] ?? match[2] ?? '';
      for (const name of (match[1] ?? '').split(',').map((part) => part.trim())) {
        const command = /^(\w+)Command$/.exec(name.split(/\s+as\s+/)[0] ?? '')?.[1];
        if (command !== undefined && !name.startsWith('type ')) found.add(`${prefix}:${command}`);
      }
    }
  }
  return [...found].sort();
};

const IAM_PREFIX: Record<string, string> = { 'secrets-manager': 'secretsmanager', eventbridge: 'events' };

const statementsIn = (policy: Resource): Statement[] =>
  list((policy.Properties?.PolicyDocument as { Statement?: Statement[] } | undefined)?.Statement);

const roleStatements = (template: Template, roleId: string | undefined): Statement[] =>
  resourcesOfType(template, 'AWS::IAM::Policy')
    .filter(([, policy]) =>
      list(policy.Properties?.Roles as unknown[]).some((role) => referencedId(role) === roleId),
    )
    .flatMap(([, policy]) => statementsIn(policy));

/**
 * A statement's conditions, judged on a call's request context as IAM does (a key the request lacks fails its
 * test). Only the operators the stack uses are known: any other fails the judgement rather than passing it.
 */
const conditionsHold = (statement: Statement, context: Record<string, string> | undefined): boolean =>
  context === undefined ||
  Object.entries(statement.Condition ?? {}).every(([operator, tests]) =>
    Object.entries(tests).every(([key, expected]) => {
      const actual = context[key];
      if (actual === undefined) return false;
      if (operator === 'StringEquals') return list(expected).includes(actual);
      if (operator === 'StringLike') return list(expected).some((pattern) => wildcard(pattern).test(actual));
      throw new Error(`the rehearsal cannot judge the condition operator ${operator} (${key})`);
    }),
  );

const allows = (
  statements: Statement[],
  action: string,
  resource?: string,
  resolve?: (value: unknown) => string,
  context?: Record<string, string>,
) =>
  statements.some(
    (statement) =>
      statement.Effect === 'Allow' &&
      list(statement.Action).some((pattern) => wildcard(pattern).test(iamAction(action))) &&
      conditionsHold(statement, context) &&
      (resource === undefined ||
        resolve === undefined ||
        list(statement.Resource).some((value) => {
          try {
            return wildcard(resolve(value)).test(resource);
          } catch {
            return false;
          }
        })),
  );

/** The ARN form of a resource a recorded call named. */
const arnOf = (
  action: string,
  resource: string,
  region: string,
  account: string,
  secretArns: Map<string, string>,
) => {
  if (action.startsWith('sqs:')) {
    const [, queueAccount, name] = /\/(\d+)\/([^/]+)$/.exec(resource) ?? [];
    return `arn:aws:sqs:${region}:${queueAccount ?? account}:${name}`;
  }
  if (action.startsWith('secretsmanager:') && !resource.startsWith('arn:'))
    return `arn:aws:secretsmanager:${region}:${account}:secret:${resource}`;
  if (action.startsWith('dynamodb:')) return `arn:aws:dynamodb:${region}:${account}:table/${resource}`;
  if (action.startsWith('s3:')) return `arn:aws:s3:::${resource}`;
  if (action.startsWith('events:')) return `arn:aws:events:${region}:${account}:event-bus/${resource}`;
  if (action.startsWith('firehose:'))
    return `arn:aws:firehose:${region}:${account}:deliverystream/${resource}`;
  return secretArns.get(resource) ?? resource;
};

/**
 * (a) Every AWS call a function's code can send is allowed by its role: statically, each command class in
 * its bundle; for the calls it made (recorded by the proxy), on that resource and under the statement's
 * conditions, judged here against the template's own policy; and by moto itself, which enforced the role
 * (built from the same policy) on every call: a refusal there fails the function's check.
 */
export const checkGrants = async (deployment: Deployment, root: string): Promise<Check[]> => {
  const { template, proxy, names } = deployment;
  const secretArns = new Map<string, string>();
  const resolve = (value: unknown) => resolveValue(template, value, names);
  const checks: Check[] = [];
  for (const fn of functionsOf(template)) {
    const statements = roleStatements(template, fn.roleId);
    const bundled = await commandsOfFunction(root, fn.service);
    const missing = bundled.filter((action) => !allows(statements, action));
    const calls = proxy.calls.filter((call) => call.caller === fn.logicalId);
    const refused = calls.filter(
      (call) =>
        !allows(
          statements,
          call.action,
          arnOf(call.action, call.resource, names.region, names.account, secretArns),
          resolve,
          call.context,
        ),
    );
    const motoRefused = proxy.refusals.filter((refusal) => refusal.caller === fn.logicalId);
    checks.push(
      {
        name: `${fn.service}: its role allows every AWS command its code can send`,
        ok: missing.length === 0,
        detail: missing.length === 0 ? bundled.join(', ') : `not allowed: ${missing.join(', ')}`,
      },
      {
        name: `${fn.service}: its role allows every call it made (${calls.length}), on that resource`,
        ok: refused.length === 0,
        detail: refused
          .map((call) => `${call.action} ${call.resource} ${JSON.stringify(call.context)}`)
          .join('; '),
      },
      {
        name: `${fn.service}: moto refused none of its calls (its role enforced, AWS's limits)`,
        ok: motoRefused.length === 0,
        detail: motoRefused
          .map((refusal) => `${refusal.call} → ${refusal.status} ${refusal.message}`)
          .join('; '),
      },
    );
  }
  return checks;
};

/**
 * (c) A resource policy replaces the service's default one: it must still admit the service principals the
 * stack relies on (CloudWatch alarms publishing to their topic, rules delivering to queues or topics).
 */
export const checkResourcePolicies = (template: Template): Check[] => {
  const needs: { resource: string; principal: string; action: string; why: string }[] = [];
  for (const [id, alarm] of [
    ...resourcesOfType(template, 'AWS::CloudWatch::Alarm'),
    ...resourcesOfType(template, 'AWS::CloudWatch::CompositeAlarm'),
  ])
    for (const action of list(alarm.Properties?.AlarmActions as unknown[]))
      needs.push({
        resource: referencedId(action) ?? '',
        principal: 'cloudwatch.amazonaws.com',
        action: 'sns:Publish',
        why: `alarm ${id}`,
      });
  for (const [id, rule] of resourcesOfType(template, 'AWS::Events::Rule'))
    for (const target of list(rule.Properties?.Targets as { Arn: unknown }[])) {
      const targetId = referencedId(target.Arn) ?? '';
      const type = template.Resources[targetId]?.Type;
      if (type === 'AWS::SQS::Queue' || type === 'AWS::SNS::Topic')
        needs.push({
          resource: targetId,
          principal: 'events.amazonaws.com',
          action: type === 'AWS::SQS::Queue' ? 'sqs:SendMessage' : 'sns:Publish',
          why: `rule ${id}`,
        });
    }
  const policies = [
    ...resourcesOfType(template, 'AWS::SNS::TopicPolicy'),
    ...resourcesOfType(template, 'AWS::SQS::QueuePolicy'),
  ];
  return needs.flatMap((need) => {
    const policy = policies.find(([, p]) =>
      list((p.Properties?.Topics ?? p.Properties?.Queues) as unknown[]).some(
        (r) => referencedId(r) === need.resource,
      ),
    );
    if (policy === undefined) return []; // no policy: the service default applies
    const statements = statementsIn(policy[1]);
    const ok = statements.some(
      (s) =>
        s.Effect === 'Allow' &&
        JSON.stringify(s.Principal ?? '').includes(need.principal) &&
        list(s.Action).includes(need.action),
    );
    return [
      {
        name: `${policy[0]} admits ${need.principal} (${need.why})`,
        ok,
        detail: ok ? need.action : `${need.action} not allowed: the policy replaced the default`,
      },
    ];
  });
};
