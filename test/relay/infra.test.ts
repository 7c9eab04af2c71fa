import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSwitchboard } from '../../infra/create-switchboard.js';
import { useTempFolders } from '../support/temp-folders.js';

type Resource = { Type: string; Properties: Record<string, unknown> };
type Statement = { Action: string | string[]; Resource: unknown };

const IDS = {
  'switchboard:metaAppId': '21202248997039',
  'switchboard:metaBusinessId': '506914307656634',
};
const DESTINATIONS = [
  {
    name: 'crm',
    url: 'https://crm.example.com/meta?token=abc',
    fields: ['messages'],
    phoneNumberIds: ['106540352242922'],
    signing: 'own',
    concurrency: 5,
  },
  {
    name: 'data-lake',
    url: 'https://lake.example.com/in',
    fields: ['*'],
    signing: 'meta',
    timeoutSeconds: 20,
  },
];

const synth = (relay: unknown) => {
  const app = new App({
    context: {
      'aws:cdk:bundling-stacks': [],
      ...IDS,
      ...(relay === undefined ? {} : { 'switchboard:relay': relay }),
    },
  });
  const stack = createSwitchboard(app, { account: '123456789012', region: 'us-east-1' });
  app.synth(); // throws on any unacknowledged cdk-nag finding
  return Template.fromStack(stack);
};

let template: Template;
let resources: Record<string, Resource>;
const tempFolder = useTempFolders('relay-infra');

// Synthesizing under both cdk-nag packs takes long on a busy machine.
beforeAll(() => {
  template = synth(DESTINATIONS);
  resources = template.toJSON().Resources as Record<string, Resource>;
}, 180_000);

const find = (type: string, idPart: string | RegExp): [string, Resource] => {
  const found = Object.entries(resources).find(
    ([id, resource]) =>
      resource.Type === type && (typeof idPart === 'string' ? id.includes(idPart) : idPart.test(id)),
  );
  if (found === undefined) throw new Error(`no ${type} like ${idPart}`);
  return found;
};

/** Every action a function's role may take, with the resources as written. */
const grantsOf = (functionIdPart: string): Statement[] => {
  const [, fn] = find('AWS::Lambda::Function', functionIdPart);
  const role = JSON.stringify((fn.Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]);
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes(role))
    .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
};
const actions = (statements: Statement[]) =>
  [...new Set(statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])))].sort();

describe('the relay in the stack (switchboard:relay)', () => {
  it('gives each destination its own queue and DLQ, and its own deliverer capped at its concurrency', () => {
    // Assess
    for (const [stem, concurrency, timeout] of [
      ['RelayCrm', 5, 110],
      ['RelayDataLake', 4, 210],
    ] as const) {
      const [queueId, queue] = find('AWS::SQS::Queue', new RegExp(`^${stem}Queue[0-9A-F]{8}$`));
      expect(queue.Properties).toMatchObject({
        MessageRetentionPeriod: 1_209_600,
        RedrivePolicy: { maxReceiveCount: 22 },
        VisibilityTimeout: timeout * 6,
      });
      const [, mapping] = Object.entries(resources).find(
        ([, r]) =>
          r.Type === 'AWS::Lambda::EventSourceMapping' && JSON.stringify(r.Properties).includes(queueId),
      ) ?? ['', undefined];
      expect(mapping?.Properties).toMatchObject({
        BatchSize: 10,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: concurrency },
      });
      const [, fn] = find('AWS::Lambda::Function', `${stem}Deliverer`);
      expect(fn.Properties).toMatchObject({
        Timeout: timeout,
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
      });
      expect(
        JSON.parse(
          String(
            (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables.RELAY_DESTINATION,
          ),
        ).name,
      ).toBe(stem === 'RelayCrm' ? 'crm' : 'data-lake');
    }
  });

  it('lets a deliverer take only its own queue, park in its own DLQ, read relayed claim checks and its own secret', () => {
    // Assess
    expect(actions(grantsOf('RelayCrmDeliverer'))).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      's3:GetObject',
      'secretsmanager:DescribeSecret',
      'secretsmanager:GetSecretValue',
      'sqs:ChangeMessageVisibility',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:ReceiveMessage',
      'sqs:SendMessage',
    ]);
    const crm = JSON.stringify(grantsOf('RelayCrmDeliverer'));
    expect(crm).toContain('/claims/relay/*');
    expect(crm).not.toContain('RelayDataLake');
    expect(actions(grantsOf('RelayDataLakeDeliverer'))).not.toContain('secretsmanager:GetSecretValue');
  });

  it('creates a retained secret only for a destination that signs with its own, and outputs what redrive reads', () => {
    // Assess
    const secrets = Object.entries(resources).filter(
      ([id, r]) => r.Type === 'AWS::SecretsManager::Secret' && id.startsWith('Relay'),
    );
    expect(secrets.map(([id]) => id.replace(/[0-9A-F]{8}$/, ''))).toEqual(['RelayCrmSecret']);
    expect(template.toJSON().Resources[secrets[0]?.[0] ?? ''].DeletionPolicy).toBe('Retain');
    const outputs = Object.keys(template.toJSON().Outputs as object);
    for (const name of [
      'RelayCrmQueueUrl',
      'RelayCrmDlqUrl',
      'RelayCrmSecretArn',
      'RelayDataLakeQueueUrl',
      'RelayDataLakeDlqUrl',
    ])
      expect(outputs).toContain(name);
  });

  it('lets the webhook (live copies) and reconcile (the replay) send to every destination queue', () => {
    for (const functionId of ['IngestionWebhook', 'ReconciliationReconcile']) {
      // Assess
      const sends = grantsOf(functionId)
        .filter((s) => s.Action === 'sqs:SendMessage')
        .map((s) => JSON.stringify(s.Resource));
      for (const stem of ['RelayCrm', 'RelayDataLake'])
        expect(sends.some((resource) => new RegExp(`"${stem}Queue[0-9A-F]{8}"`).test(resource))).toBe(true);
      const [, fn] = find('AWS::Lambda::Function', functionId);
      const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(JSON.parse(String(variables.RELAY_DESTINATIONS))).toHaveLength(2);
      expect(Object.keys(variables)).toEqual(
        expect.arrayContaining(['RELAY_CRM_QUEUE_URL', 'RELAY_DATA_LAKE_QUEUE_URL']),
      );
    }
  });

  it('alarms per destination on its DLQ, its backlog and its deliverer, and shows it on the dashboard', () => {
    // Assess
    const alarms = Object.keys(template.findResources('AWS::CloudWatch::Alarm'));
    for (const stem of ['RelayCrm', 'RelayDataLake'])
      for (const alarm of ['DlqNotEmpty', 'Backlog', 'DelivererErrors'])
        expect(alarms.some((id) => id.includes(`${stem}${alarm}`))).toBe(true);
    const [, dashboard] = find('AWS::CloudWatch::Dashboard', 'Dashboard');
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const metric of [
      'RelayForwarded',
      'RelayRetried',
      'RelayFailed',
      'RelayLatencyMs',
      'ApproximateAgeOfOldestMessage',
    ])
      expect(body).toContain(metric);
    expect(body).toContain('relay-data-lake');
  });

  it('refuses at synth a destination that is not HTTPS, a bad name, and a configuration too large for the webhook', () => {
    const one = (extra: Record<string, unknown>) => [{ ...DESTINATIONS[1], ...extra }];
    expect(() => synth(one({ url: 'http://lake.example.com/in' }))).toThrow(
      /switchboard:relay:[\s\S]*must be https/,
    );
    expect(() => synth(one({ url: 'https://user:pw@lake.example.com/in' }))).toThrow(/credentials/);
    expect(() => synth(one({ name: 'Data Lake' }))).toThrow(/name must be/);
    expect(() => synth(JSON.stringify(one({})))).not.toThrow();
    const ids = Array.from({ length: 200 }, (_, index) => String(106_540_352_242_922 + index));
    expect(() => synth(one({ phoneNumberIds: ids }))).toThrow(/webhook's and reconcile's environment/);
  }, 180_000);

  it('passes cfn-lint (the region’s resource types and values)', () => {
    // Prepare
    const file = join(tempFolder(), 'relay.template.json');
    writeFileSync(file, JSON.stringify(template.toJSON()));
    // Act
    const lint = spawnSync('cfn-lint', ['--regions', 'us-east-1', '--', file], { encoding: 'utf8' });
    // Assess: no error (bit 2); warnings are W3005, as on the stack without the relay.
    if (lint.error !== undefined) return; // cfn-lint is not installed here
    expect((lint.status ?? 0) & 2).toBe(0);
    expect(
      lint.stdout.split('\n').filter((line) => /^[EW]\d/.test(line) && !line.startsWith('W3005')),
    ).toEqual([]);
  }, 180_000);
});
