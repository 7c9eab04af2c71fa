import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Resource {
  Type: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
}

export interface Template {
  Resources: Record<string, Resource>;
  Outputs?: Record<string, { Value: unknown }>;
}

/** A synth's environment on a machine without AWS credentials: none looked for, nothing phoned home. */
export const NO_CREDENTIALS: Record<string, string | undefined> = {
  AWS_ACCESS_KEY_ID: undefined,
  AWS_SECRET_ACCESS_KEY: undefined,
  AWS_SESSION_TOKEN: undefined,
  AWS_PROFILE: undefined,
  AWS_EC2_METADATA_DISABLED: 'true',
  CDK_DISABLE_CLI_TELEMETRY: 'true',
  CDK_DEFAULT_ACCOUNT: undefined,
  CDK_DEFAULT_REGION: undefined,
};

/** Runs the real CLI (`cdk synth`, as `cdk deploy` runs it) into `outdir`, with the given context and env. */
export const synthesize = (
  root: string,
  outdir: string,
  context: Record<string, string>,
  env: Record<string, string | undefined>,
): Template => {
  const args = ['cdk', 'synth', '--quiet', '--no-notices', '-o', outdir];
  for (const [key, value] of Object.entries(context)) args.push('-c', `${key}=${value}`);
  const result = spawnSync('npx', args, {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (result.status !== 0) {
    throw new Error(
      `cdk synth failed (exit ${result.status}):\n${result.stderr.split('\n').slice(-25).join('\n')}`,
    );
  }
  return JSON.parse(readFileSync(join(outdir, 'Switchboard.template.json'), 'utf8')) as Template;
};

/** A CloudFormation value that may be one item or a list, as a list. */
export const list = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The logical ID a `Ref` or `Fn::GetAtt` points at, if the value is one. */
export const referencedId = (value: unknown): string | undefined => {
  if (!isRecord(value)) return undefined;
  if (typeof value.Ref === 'string') return value.Ref;
  const getAtt = value['Fn::GetAtt'];
  return Array.isArray(getAtt) && typeof getAtt[0] === 'string' ? getAtt[0] : undefined;
};

export interface StandInNames {
  region: string;
  account: string;
  /** Logical ID (+ attribute) → the local value standing in for it. */
  resolve(logicalId: string, attribute: string | undefined, type: string): string | undefined;
}

/** Resolves a CloudFormation value (Ref, Fn::GetAtt, Fn::Join, pseudo parameters) to local stand-ins. */
export const resolveValue = (template: Template, value: unknown, names: StandInNames): string => {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (!isRecord(value)) throw new Error(`cannot resolve ${JSON.stringify(value)}`);
  if (value.Ref === 'AWS::Region') return names.region;
  if (value.Ref === 'AWS::AccountId') return names.account;
  if (value.Ref === 'AWS::Partition') return 'aws';
  if (value.Ref === 'AWS::URLSuffix') return 'amazonaws.com';
  const join = value['Fn::Join'];
  if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
    return join[1].map((part) => resolveValue(template, part, names)).join(join[0]);
  }
  const id = referencedId(value);
  const attribute = Array.isArray(value['Fn::GetAtt']) ? String(value['Fn::GetAtt'][1]) : undefined;
  const resource = id === undefined ? undefined : template.Resources[id];
  const resolved =
    id === undefined || resource === undefined ? undefined : names.resolve(id, attribute, resource.Type);
  if (resolved === undefined) throw new Error(`no local stand-in for ${JSON.stringify(value)}`);
  return resolved;
};

export const resourcesOfType = (template: Template, type: string): [string, Resource][] =>
  Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);

export interface FunctionSpec {
  logicalId: string;
  /** `POWERTOOLS_SERVICE_NAME`: webhook, solutions, ... */
  service: string;
  handler: string;
  runtime: string;
  assetPath: string;
  memorySize: number;
  timeoutSeconds: number;
  environment: Record<string, unknown>;
  logLevel: string | undefined;
  roleId: string | undefined;
}

/** The project's functions (Handler `index.handler`), as the template deploys them. */
export const functionsOf = (template: Template): FunctionSpec[] =>
  resourcesOfType(template, 'AWS::Lambda::Function')
    .filter(([, resource]) => typeof resource.Metadata?.['aws:asset:path'] === 'string')
    .map(([logicalId, resource]) => {
      const properties = resource.Properties ?? {};
      const environment = (isRecord(properties.Environment) ? properties.Environment.Variables : {}) ?? {};
      const logging = isRecord(properties.LoggingConfig) ? properties.LoggingConfig : {};
      return {
        logicalId,
        service: String((environment as Record<string, unknown>).POWERTOOLS_SERVICE_NAME ?? logicalId),
        handler: String(properties.Handler),
        runtime: String(properties.Runtime),
        assetPath: String(resource.Metadata?.['aws:asset:path']),
        memorySize: Number(properties.MemorySize ?? 128),
        timeoutSeconds: Number(properties.Timeout ?? 3),
        environment: environment as Record<string, unknown>,
        logLevel: typeof logging.ApplicationLogLevel === 'string' ? logging.ApplicationLogLevel : undefined,
        roleId: referencedId(properties.Role),
      };
    });

/** `METHOD /path` → the function its integration invokes, from the template's routes. */
export const routesOf = (template: Template): Map<string, string> => {
  const routes = new Map<string, string>();
  for (const [, route] of resourcesOfType(template, 'AWS::ApiGatewayV2::Route')) {
    const target = route.Properties?.Target;
    const integrationId = Array.isArray((target as { 'Fn::Join'?: unknown[] })?.['Fn::Join'])
      ? JSON.stringify(target).match(/"Ref":"([^"]+)"/)?.[1]
      : undefined;
    const integration = integrationId === undefined ? undefined : template.Resources[integrationId];
    const fn = referencedId(integration?.Properties?.IntegrationUri);
    if (fn !== undefined) routes.set(String(route.Properties?.RouteKey), fn);
  }
  return routes;
};

/** Queue logical ID → the function its event source mapping feeds. */
export const eventSourcesOf = (template: Template): Map<string, string> => {
  const sources = new Map<string, string>();
  for (const [, mapping] of resourcesOfType(template, 'AWS::Lambda::EventSourceMapping')) {
    const queue = referencedId(mapping.Properties?.EventSourceArn);
    const fn = referencedId(mapping.Properties?.FunctionName);
    const isQueue = queue !== undefined && template.Resources[queue]?.Type === 'AWS::SQS::Queue';
    if (isQueue && fn !== undefined) sources.set(queue, fn);
  }
  return sources;
};

/** Functions a state machine's definition invokes (its `Fn::GetAtt [fn, Arn]` references). */
const functionsInvokedBy = (template: Template, machineId: string): string[] => {
  const definition = JSON.stringify(template.Resources[machineId]?.Properties?.DefinitionString ?? '');
  const functions = new Set(resourcesOfType(template, 'AWS::Lambda::Function').map(([id]) => id));
  return [...definition.matchAll(/"Fn::GetAtt":\["([A-Za-z0-9]+)","Arn"\]/g)]
    .map((match) => match[1] ?? '')
    .filter((id) => functions.has(id));
};

/**
 * What a schedule rule starts: a function directly (`loop: false`), or a Step Functions loop that invokes a
 * function until it answers `more: false` (`loop: true`).
 */
export const scheduledFunctionsOf = (template: Template): { fnId: string; loop: boolean }[] => {
  const machines = new Set(resourcesOfType(template, 'AWS::StepFunctions::StateMachine').map(([id]) => id));
  return resourcesOfType(template, 'AWS::Events::Rule').flatMap(([, rule]) =>
    ((rule.Properties?.Targets as { Arn?: unknown }[] | undefined) ?? []).flatMap(
      (target): { fnId: string; loop: boolean }[] => {
        const id = referencedId(target.Arn);
        if (id === undefined) return [];
        return machines.has(id)
          ? functionsInvokedBy(template, id).map((fnId) => ({ fnId, loop: true }))
          : [{ fnId: id, loop: false }];
      },
    ),
  );
};

/** Table name (as deployed here) → the function its stream's event source mapping invokes. */
export const streamSourcesOf = (template: Template): Map<string, string> => {
  const sources = new Map<string, string>();
  for (const [, mapping] of resourcesOfType(template, 'AWS::Lambda::EventSourceMapping')) {
    const source = mapping.Properties?.EventSourceArn as { 'Fn::GetAtt'?: unknown[] } | undefined;
    const getAtt = source?.['Fn::GetAtt'];
    const fn = referencedId(mapping.Properties?.FunctionName);
    if (
      Array.isArray(getAtt) &&
      getAtt[1] === 'StreamArn' &&
      typeof getAtt[0] === 'string' &&
      fn !== undefined
    )
      sources.set(`rehearsal-${getAtt[0].toLowerCase()}`, fn);
  }
  return sources;
};
