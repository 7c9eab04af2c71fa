import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSwitchboard } from '../../infra/create-switchboard.js';
import { EXAMPLE_CONTEXT } from '../infra/constructs/isolated.js';

/**
 * The stack with onboarding on (business tokens, a credit line, registration): its settings reach the functions
 * under CONTRACT's names, each function gets what onboarding needs and nothing more, the stuck alarm exists, and
 * cdk-nag (both packs) passes. Wrong settings fail at synth.
 */
const ONBOARDING_CONTEXT = {
  'switchboard:businessTokens': true,
  'switchboard:metaCreditLineId': '1972385232742146',
  'switchboard:metaCreditCurrency': 'USD',
  'switchboard:metaOverrideCallbackUri': 'https://hooks.example.com/webhook',
  'switchboard:phoneRegistrationEnabled': true,
  'switchboard:businessTokenGraceDays': 14,
  'switchboard:onboardingStuckAfterMinutes': 120,
};

type Resource = { Type: string; Properties: Record<string, unknown> };
type Statement = { Action: string | string[]; Resource: unknown };

const synth = (context: Record<string, unknown>) => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...EXAMPLE_CONTEXT, ...context } });
  const stack = createSwitchboard(app, { account: undefined, region: undefined });
  app.synth(); // throws on any unacknowledged cdk-nag finding
  return Template.fromStack(stack);
};

let resources: Record<string, Resource>;
let template: Template;
beforeAll(() => {
  template = synth(ONBOARDING_CONTEXT);
  resources = template.toJSON().Resources as Record<string, Resource>;
}, 120_000);

const functionNamed = (part: string): Resource => {
  const found = Object.entries(resources).find(
    ([id, resource]) => resource.Type === 'AWS::Lambda::Function' && id.includes(part),
  );
  if (found === undefined) throw new Error(`no function ${part}`);
  return found[1];
};

const statementsOf = (part: string): Statement[] => {
  const role = JSON.stringify(
    (functionNamed(part).Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0],
  );
  return Object.values(resources)
    .filter(
      (resource) =>
        resource.Type === 'AWS::IAM::Policy' && JSON.stringify(resource.Properties.Roles).includes(role),
    )
    .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
};

const actionsOf = (statements: Statement[], resource: string): string[] =>
  statements
    .filter((statement) => JSON.stringify(statement.Resource).includes(resource))
    .flatMap((statement) => (Array.isArray(statement.Action) ? statement.Action : [statement.Action]))
    .sort();

const environmentOf = (part: string) =>
  (functionNamed(part).Properties.Environment as { Variables: Record<string, unknown> }).Variables;

describe('the stack with onboarding on', () => {
  it('passes the settings under CONTRACT\u2019s names to the actions and reconcile functions', () => {
    for (const part of ['ActActions', 'ReconciliationReconcile'])
      expect(environmentOf(part), part).toMatchObject({
        META_CREDIT_LINE_ID: '1972385232742146',
        META_CREDIT_CURRENCY: 'USD',
        META_OVERRIDE_CALLBACK_URI: 'https://hooks.example.com/webhook',
        PHONE_REGISTRATION_ENABLED: 'true',
        BUSINESS_TOKEN_GRACE_DAYS: '14',
        ONBOARDING_STUCK_AFTER_MINUTES: '120',
      });
  });

  it('lets the actions function read, delete and restore business-token secrets, and read the WABAs it onboards', () => {
    const statements = statementsOf('ActActions');
    expect(actionsOf(statements, 'business-tokens/*')).toEqual([
      'secretsmanager:CreateSecret',
      'secretsmanager:DeleteSecret',
      'secretsmanager:DescribeSecret',
      'secretsmanager:GetSecretValue',
      'secretsmanager:PutSecretValue',
      'secretsmanager:RestoreSecret',
      'secretsmanager:TagResource',
    ]);
    expect(actionsOf(statements, 'Statewabas')).toEqual(
      expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:UpdateItem']),
    );
  });

  it('lets reconciliation read tokens (never write them), query onboardings by state and queue onboarding jobs', () => {
    const statements = statementsOf('ReconciliationReconcile');
    expect(actionsOf(statements, 'business-tokens/*')).toEqual(['secretsmanager:GetSecretValue']);
    expect(JSON.stringify(statements)).toContain('index/byOnboardingState');
    const sends = statements
      .filter((statement) => statement.Action === 'sqs:SendMessage')
      .map((s) => JSON.stringify(s.Resource));
    expect(sends.filter((resource) => resource.includes('BusinessTokensQueue'))).toHaveLength(1);
    expect(sends.join()).not.toContain('Dlq');
  });

  it('alarms when an onboarding step stays pending or failed past the configured time', () => {
    const alarms = Object.entries(template.findResources('AWS::CloudWatch::Alarm')).filter(([id]) =>
      id.includes('OnboardingStuck'),
    );
    expect(alarms).toHaveLength(1);
    expect(alarms[0]?.[1].Properties).toMatchObject({
      MetricName: 'OnboardingsStuck',
      Statistic: 'Maximum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(String(alarms[0]?.[1].Properties.AlarmDescription)).toContain('120 minutes');
  });

  it('refuses wrong onboarding settings at synth, naming them', () => {
    expect(() => synth({ 'switchboard:metaCreditLineId': '1972385232742146' })).toThrow(
      'META_CREDIT_LINE_ID is set without META_CREDIT_CURRENCY',
    );
    expect(() => synth({ ...ONBOARDING_CONTEXT, 'switchboard:businessTokenGraceDays': 90 })).toThrow(
      'BUSINESS_TOKEN_GRACE_DAYS must be a whole number of days from 7 to 30',
    );
    expect(() => synth({ ...ONBOARDING_CONTEXT, 'switchboard:metaOverrideCallbackUri': 'http://x' })).toThrow(
      'META_OVERRIDE_CALLBACK_URI must be an https URL',
    );
  });
});
