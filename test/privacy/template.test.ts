import { App, Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { readSettings } from '../../infra/config/settings.js';
import { DomainEvents } from '../../infra/constructs/domain-events.js';
import { Ingestion } from '../../infra/constructs/ingestion.js';
import { Privacy } from '../../infra/constructs/privacy.js';
import { DOMAINS } from '../../shared/domains/registry.js';
import { EXAMPLE_CONTEXT, isolated, type Statement } from '../infra/constructs/isolated.js';

/** The stateful resources with the webhook, the events and the privacy functions, under cdk-nag. */
const synth = (context: Record<string, unknown> = {}): Template =>
  isolated((stack, state, settings) => {
    new Ingestion(stack, 'Ingestion', state, DOMAINS);
    const events = new DomainEvents(stack, 'Events', state, DOMAINS);
    new Privacy(stack, 'PersonalData', {
      state,
      settings,
      domains: DOMAINS,
      bus: events.bus,
      events: events.publisher,
    });
  }, context);

const archiveRules = (template: Template) => {
  const [bucket] = Object.entries(template.findResources('AWS::S3::Bucket')).filter(([id]) =>
    id.startsWith('DeliveryArchive'),
  );
  return bucket?.[1].Properties.LifecycleConfiguration.Rules as Record<string, unknown>[];
};

const environmentOf = (template: Template, prefix: string): Record<string, unknown> => {
  const [fn] = Object.entries(template.findResources('AWS::Lambda::Function')).filter(([id]) =>
    id.startsWith(prefix),
  );
  return fn?.[1].Properties.Environment.Variables ?? {};
};

const statementsOf = (template: Template, rolePrefix: string): Statement[] =>
  Object.entries(template.findResources('AWS::IAM::Policy'))
    .filter(([, policy]) => JSON.stringify(policy.Properties.Roles).includes(rolePrefix))
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as Statement[]);

describe('retention in the template', () => {
  it('by default: the archive expires after 35 days, passthrough-only deliveries apart after 7', () => {
    // Act
    const template = synth();

    // Assess
    expect(archiveRules(template)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Prefix: 'deliveries/', ExpirationInDays: 35, Status: 'Enabled' }),
        expect.objectContaining({ Prefix: 'large/', ExpirationInDays: 35 }),
        expect.objectContaining({ Prefix: 'errors/', ExpirationInDays: 35 }),
        expect.objectContaining({ Prefix: 'passthrough/', ExpirationInDays: 7 }),
      ]),
    );
    expect(archiveRules(template).every((rule) => typeof rule.ExpirationInDays === 'number')).toBe(true);
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: Match.objectLike({
        Prefix: 'passthrough/deliveries/!{timestamp:yyyy/MM/dd/HH}/',
      }),
    });
    expect(environmentOf(template, 'IngestionWebhook').ARCHIVE_PASSTHROUGH_STREAM_NAME).toEqual({
      Ref: expect.stringMatching(/^PassthroughArchiveStream/),
    });
  });

  it('configured: a longer archive (Infrequent Access past 30 days) and passthrough-only deliveries not kept', () => {
    // Act
    const template = synth({
      'switchboard:archiveRetentionDays': 90,
      'switchboard:archivePassthrough': 'none',
      'switchboard:idleThreadDays': 100,
    });

    // Assess
    const rules = archiveRules(template);
    expect(rules.find((rule) => rule.Prefix === 'deliveries/')).toMatchObject({
      ExpirationInDays: 90,
      Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: 30 }],
    });
    expect(rules.some((rule) => rule.Prefix === 'passthrough/')).toBe(false);
    template.resourceCountIs('AWS::KinesisFirehose::DeliveryStream', 1);
    expect(environmentOf(template, 'IngestionWebhook').ARCHIVE_PASSTHROUGH_STREAM_NAME).toBe('none');
    expect(environmentOf(template, 'PersonalDataPrivacy')).toMatchObject({
      ARCHIVE_RETENTION_DAYS: '90',
      ARCHIVE_PASSTHROUGH: 'none',
      IDLE_THREAD_DAYS: '100',
    });
  });

  it('thread items expire by TTL (retainUntil) and are found by a keys-only user index; other tables keep theirs', () => {
    // Act
    const template = synth();

    // Assess
    const tables = template.findResources('AWS::DynamoDB::Table');
    const threads = Object.entries(tables).find(([id]) => id.startsWith('Statethreads'))?.[1].Properties;
    expect(threads.TimeToLiveSpecification).toEqual({ AttributeName: 'retainUntil', Enabled: true });
    expect(threads.GlobalSecondaryIndexes).toEqual([
      expect.objectContaining({ IndexName: 'byUser', Projection: { ProjectionType: 'KEYS_ONLY' } }),
    ]);
    for (const [id, table] of Object.entries(tables))
      if (/^State(solutions|wabas)/.test(id))
        expect(table.Properties.TimeToLiveSpecification).toBeUndefined();
  });

  it('every queue and dead-letter queue keeps its messages 14 days', () => {
    // Act
    const queues = Object.values(synth().findResources('AWS::SQS::Queue'));

    // Assess
    expect(queues.length).toBeGreaterThan(10);
    for (const queue of queues) expect(queue.Properties.MessageRetentionPeriod).toBe(14 * 86_400);
  });

  it('refuses an idle period shorter than an event can be late', () => {
    // Prepare
    const app = new App({ context: { ...EXAMPLE_CONTEXT, 'switchboard:idleThreadDays': 30 } });

    // Act, Assess: 7 days of Meta's retries + 35 days of archive = 42.
    expect(() => readSettings(new Stack(app, 'Settings').node)).toThrow(/at least 42 days/);
  });
});

describe('the privacy function and hashed user IDs in the template', () => {
  it('may only list users through the keys-only index and put tombstones: no read of the items', () => {
    // Act
    const statements = statementsOf(synth(), 'PersonalDataPrivacyRole');
    const dynamo = statements.filter((statement) => JSON.stringify(statement.Action).includes('dynamodb:'));

    // Assess
    const onThreads = dynamo.filter((statement) =>
      JSON.stringify(statement.Resource).includes('Statethreads'),
    );
    expect(onThreads.map((statement) => statement.Action).sort()).toEqual([
      'dynamodb:PutItem',
      'dynamodb:Query',
    ]);
    expect(
      JSON.stringify(onThreads.find((statement) => statement.Action === 'dynamodb:Query')?.Resource),
    ).toContain('/index/byUser');
    expect(JSON.stringify(statements)).toContain('events:PutEvents');
  });

  it('hashed: a generated, retained key only the events function reads; plain: no key', () => {
    // Act
    const hashed = synth({ 'switchboard:eventUserIds': 'hashed' });
    const plain = synth();

    // Assess
    const keys = Object.entries(hashed.findResources('AWS::SecretsManager::Secret')).filter(([id]) =>
      id.startsWith('EventUserIdKey'),
    );
    expect(keys).toHaveLength(1);
    expect(keys[0]?.[1]).toMatchObject({
      DeletionPolicy: 'Retain',
      Properties: { GenerateSecretString: expect.anything() },
    });
    expect(environmentOf(hashed, 'EventsPublisher')).toMatchObject({
      EVENT_USER_IDS: 'hashed',
      EVENT_USER_ID_KEY_ARN: { Ref: keys[0]?.[0] },
    });
    expect(
      Object.keys(plain.findResources('AWS::SecretsManager::Secret')).some((id) =>
        id.startsWith('EventUserIdKey'),
      ),
    ).toBe(false);
    expect(environmentOf(plain, 'EventsPublisher').EVENT_USER_IDS).toBe('plain');
  });
});
