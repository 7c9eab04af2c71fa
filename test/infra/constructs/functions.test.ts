import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { Actions } from '../../../infra/constructs/actions.js';
import { Consumers } from '../../../infra/constructs/consumers.js';
import { MAX_RECEIVE_COUNT } from '../../../infra/constructs/domain-queue.js';
import { Ingestion } from '../../../infra/constructs/ingestion.js';
import { ReadApi } from '../../../infra/constructs/read-api.js';
import { Reconciliation } from '../../../infra/constructs/reconciliation.js';
import { CONSUMER_TIMEOUT } from '../../../infra/constructs/stateful.js';
import { DOMAINS } from '../../../shared/domains/registry.js';
import { FETCH_LEASE_MS } from '../../../shared/domains/wabas/business-tokens.js';
import { allowedActions, isolated, WEBHOOK_ACTIONS } from './isolated.js';

/** Each concern alone with the stateful resources: its grants, wiring, and its own cdk-nag acknowledgements. */
describe('the function constructs, each on its own', () => {
  it('Ingestion: the webhook sends to its five queues, puts claim checks, archives, reads its secret', () => {
    const template = isolated((stack, state) => new Ingestion(stack, 'Ingestion', state, DOMAINS));
    expect(allowedActions(template)).toEqual(WEBHOOK_ACTIONS);
    template.resourceCountIs('AWS::Lambda::Function', 1);
  });

  it('Consumers: one function per domain, each writing only its table, reading claim checks, fed by its queue', () => {
    const template = isolated(
      (stack, state, settings) => new Consumers(stack, 'Consumers', { state, settings, domains: DOMAINS }),
    );
    template.resourceCountIs('AWS::Lambda::Function', DOMAINS.length);
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', DOMAINS.length);
    template.allResourcesProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
      ScalingConfig: { MaximumConcurrency: 5 },
    });
    expect(allowedActions(template).filter((action) => action.startsWith('dynamodb:'))).toEqual([
      'dynamodb:UpdateItem',
    ]);
  });

  it('ReadApi: reads only', () => {
    const template = isolated((stack, state) => new ReadApi(stack, 'Read', state, DOMAINS));
    expect(allowedActions(template).filter((action) => action.startsWith('dynamodb:'))).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:GetItem',
      'dynamodb:Query',
      'dynamodb:Scan',
    ]);
  });

  it('Reconciliation: a schedule without retries, no async retries, the control table for its lease', () => {
    const template = isolated(
      (stack, state, settings) =>
        new Reconciliation(stack, 'Reconciliation', { state, settings, domains: DOMAINS }),
    );
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 0 });
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(15 minutes)',
      Targets: [Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 0 } })],
    });
    // Replay sends through the webhook's queues (each domain's, passthrough), nowhere else (no DLQ, no jobs).
    const sends = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) =>
      (policy.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[])
        .filter((statement) => statement.Action === 'sqs:SendMessage')
        .map((statement) => JSON.stringify(statement.Resource)),
    );
    expect(sends).toHaveLength(DOMAINS.length + 1);
    expect(sends.join()).not.toMatch(/Dlq|BusinessTokens/);
    // The schedule starts the sweep loop: Standard, traced, logged, bounded, looping on `more`.
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL' }),
    });
    const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
    const definition = JSON.stringify(machine?.Properties?.DefinitionString);
    expect(definition).toContain('$.more');
    expect(definition).toContain('sweepOwner.$');
    expect(definition).toContain('TimeoutSeconds');
    // Only a throttle (which never ran) is retried: any other retry could overlap a run still going.
    expect(definition).toContain('Lambda.TooManyRequestsException');
    // Its log group is a vended-logs one: no entry in the account's size-limited Logs resource policy.
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    expect(groups.map((group) => JSON.stringify(group.Properties?.LogGroupName))).toContainEqual(
      expect.stringContaining('/aws/vendedlogs/states/'),
    );
    expect(definition).not.toMatch(
      /Lambda\.(ServiceException|ClientExecutionTimeoutException|SdkClientException)/,
    );
  });

  it('a business-token fetch lease outlives the function that holds it, and lapses before its jobs reach the DLQ', () => {
    const template = isolated((stack, state, settings) => new Actions(stack, 'Act', state, settings));
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function'));
    const timeoutMs = Number(fn?.Properties?.Timeout) * 1000;
    expect(FETCH_LEASE_MS).toBeGreaterThan(timeoutMs);
    // The jobs' queue: visibility 6 × the consumer timeout, five receives. A job back from a dead holder (its
    // own, whose duplicates were done meanwhile) finds the lease lapsed on its first retry.
    expect(FETCH_LEASE_MS).toBeLessThan(CONSUMER_TIMEOUT.toMilliseconds() * 6 * MAX_RECEIVE_COUNT);
    const jobsQueue = Object.entries(template.findResources('AWS::SQS::Queue')).find(
      ([id]) => id.startsWith('BusinessTokensQueue') && !id.startsWith('BusinessTokensQueueDlq'),
    )?.[1];
    expect(FETCH_LEASE_MS).toBeLessThan(Number(jobsQueue?.Properties?.VisibilityTimeout) * 1000);
  });

  it('Actions: page tokens, business-token secrets by prefix (tagged), its job queue and DLQ', () => {
    const template = isolated((stack, state, settings) => new Actions(stack, 'Act', state, settings));
    expect(allowedActions(template)).toEqual(
      expect.arrayContaining([
        'secretsmanager:CreateSecret',
        'secretsmanager:PutSecretValue',
        'secretsmanager:TagResource',
      ]),
    );
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 5,
    });
  });
});
