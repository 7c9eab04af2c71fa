import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { BUNDLING } from '../infra/constructs/switchboard-function.js';
import type { Deployment } from './deployment.js';
import type { Check } from './scenario.js';
import {
  functionsOf,
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
}

const list = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];
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

const IAM_PREFIX: Record<string, string> = { 'secrets-manager': 'secretsmanager' };

const statementsIn = (policy: Resource): Statement[] =>
  list((policy.Properties?.PolicyDocument as { Statement?: Statement[] } | undefined)?.Statement);

const roleStatements = (template: Template, roleId: string | undefined): Statement[] =>
  resourcesOfType(template, 'AWS::IAM::Policy')
    .filter(([, policy]) =>
      list(policy.Properties?.Roles as unknown[]).some((role) => referencedId(role) === roleId),
    )
    .flatMap(([, policy]) => statementsIn(policy));

const allows = (
  statements: Statement[],
  action: string,
  resource?: string,
  resolve?: (value: unknown) => string,
) =>
  statements.some(
    (statement) =>
      statement.Effect === 'Allow' &&
      list(statement.Action).some((pattern) => wildcard(pattern).test(iamAction(action))) &&
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
  if (action.startsWith('dynamodb:')) return `arn:aws:dynamodb:${region}:${account}:table/${resource}`;
  if (action.startsWith('s3:')) return `arn:aws:s3:::${resource}`;
  return secretArns.get(resource) ?? resource;
};

/**
 * (a) Every AWS call a function's code can send is allowed by its role: statically, each command class in
 * its bundle; and for the calls the stand-ins saw it make, the resource too.
 */
export const checkGrants = async (deployment: Deployment, root: string): Promise<Check[]> => {
  const { template, aws, names } = deployment;
  const secretArns = new Map([...aws.secrets.values()].map((secret) => [secret.name, secret.arn]));
  const resolve = (value: unknown) => resolveValue(template, value, names);
  const checks: Check[] = [];
  for (const fn of functionsOf(template)) {
    const statements = roleStatements(template, fn.roleId);
    const bundled = await commandsOfFunction(root, fn.service);
    const missing = bundled.filter((action) => !allows(statements, action));
    const calls = aws.calls.filter((call) => call.caller === fn.logicalId);
    const refused = calls.filter(
      (call) =>
        !allows(
          statements,
          call.action,
          arnOf(call.action, call.resource, names.region, names.account, secretArns),
          resolve,
        ),
    );
    checks.push(
      {
        name: `${fn.service}: its role allows every AWS command its code can send`,
        ok: missing.length === 0,
        detail: missing.length === 0 ? bundled.join(', ') : `not allowed: ${missing.join(', ')}`,
      },
      {
        name: `${fn.service}: its role allows every call it made (${calls.length}), on that resource`,
        ok: refused.length === 0,
        detail: refused.map((call) => `${call.action} ${call.resource}`).join('; '),
      },
    );
  }
  return checks;
};

interface MetricUse {
  where: string;
  name: string;
  dimensions: string[];
  service: string | undefined;
}

/** Switchboard-namespace metrics named by alarms and the dashboard. */
const metricsUsed = (
  template: Template,
  namespace: string,
  resolve: (value: unknown) => string,
): MetricUse[] => {
  const uses: MetricUse[] = [];
  const add = (where: string, name: string, dims: { Name: string; Value: unknown }[]) =>
    uses.push({
      where,
      name,
      dimensions: dims.map((d) => d.Name).sort(),
      service: dims.find((d) => d.Name === 'service')?.Value as string | undefined,
    });
  for (const [id, alarm] of resourcesOfType(template, 'AWS::CloudWatch::Alarm')) {
    const p = alarm.Properties ?? {};
    if (p.Namespace === namespace)
      add(id, String(p.MetricName), list(p.Dimensions as { Name: string; Value: unknown }[]));
    for (const query of list(
      p.Metrics as {
        MetricStat?: {
          Metric: { Namespace: string; MetricName: string; Dimensions?: { Name: string; Value: unknown }[] };
        };
      }[],
    )) {
      const metric = query.MetricStat?.Metric;
      if (metric?.Namespace === namespace) add(id, metric.MetricName, list(metric.Dimensions));
    }
  }
  for (const [id, dashboard] of resourcesOfType(template, 'AWS::CloudWatch::Dashboard')) {
    const body = resolve(dashboard.Properties?.DashboardBody);
    for (const match of body.matchAll(/\["Switchboard","([A-Za-z]+)"((?:,"[^"]*","[^"]*")*)/g)) {
      const pairs = [...(match[2] ?? '').matchAll(/,"([^"]*)","([^"]*)"/g)].map((pair) => ({
        Name: pair[1] ?? '',
        Value: pair[2],
      }));
      add(id, match[1] ?? '', pairs);
    }
    for (const match of body.matchAll(/SEARCH\('\{Switchboard,([^}]*)\} MetricName=\\"([A-Za-z]+)\\"/g)) {
      uses.push({
        where: id,
        name: match[2] ?? '',
        dimensions: (match[1] ?? '').split(',').sort(),
        service: undefined,
      });
    }
  }
  return uses;
};

/** EMF documents a function printed: metric name → dimension sets. */
const emitted = (logs: string[]): Map<string, string[][]> => {
  const metrics = new Map<string, string[][]>();
  for (const line of logs) {
    if (!line.includes('"_aws"')) continue;
    try {
      const document = JSON.parse(line) as {
        _aws?: { CloudWatchMetrics?: { Dimensions: string[][]; Metrics: { Name: string }[] }[] };
      };
      for (const directive of document._aws?.CloudWatchMetrics ?? [])
        for (const metric of directive.Metrics)
          metrics.set(metric.Name, [
            ...(metrics.get(metric.Name) ?? []),
            ...directive.Dimensions.map((set) => [...set].sort()),
          ]);
    } catch {
      // not a metric document
    }
  }
  return metrics;
};

/**
 * (b) Every alarm and dashboard metric is one the code emits: the name and dimension names are in the
 * bundle of the function whose service it names, and where the rehearsal saw it emitted, with exactly those
 * dimensions.
 */
export const checkMetrics = (deployment: Deployment, cdkOut: string): Check[] => {
  const { template, containers, names } = deployment;
  const resolve = (value: unknown) =>
    resolveValue(template, value, {
      ...names,
      resolve: (id, attribute, type) => names.resolve(id, attribute, type) ?? id,
    });
  const functions = functionsOf(template);
  return metricsUsed(template, 'Switchboard', resolve).map((use) => {
    const candidates = functions.filter((fn) => use.service === undefined || fn.service === use.service);
    const inCode = candidates.filter((fn) => {
      const code = readFileSync(join(cdkOut, fn.assetPath, 'index.mjs'), 'utf8');
      return (
        code.includes(`"${use.name}"`) &&
        use.dimensions.every((d) => d === 'service' || code.includes(`${d}:`) || code.includes(`"${d}"`))
      );
    });
    const seen = candidates.flatMap(
      (fn) => emitted(containers.get(fn.logicalId)?.logs ?? []).get(use.name) ?? [],
    );
    const shapeOk = seen.length === 0 || seen.some((set) => set.join() === use.dimensions.join());
    return {
      name: `${use.where}: metric ${use.name} [${use.dimensions.join(', ')}] is emitted by ${use.service ?? 'some function'}`,
      ok: inCode.length > 0 && shapeOk,
      detail: `${inCode.length > 0 ? 'in code' : 'NOT in any matching bundle'}; ${seen.length > 0 ? `seen with ${JSON.stringify(seen[0])}` : 'not emitted in this rehearsal'}`,
    };
  });
};

/**
 * (c) A resource policy replaces the service's default one: it must still admit the service principals the
 * stack relies on (CloudWatch alarms publishing to their topic, rules delivering to queues or topics).
 */
export const checkResourcePolicies = (template: Template): Check[] => {
  const needs: { resource: string; principal: string; action: string; why: string }[] = [];
  for (const [id, alarm] of resourcesOfType(template, 'AWS::CloudWatch::Alarm'))
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
