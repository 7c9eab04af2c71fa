import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { SfnStateMachine } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  Choice,
  Condition,
  DefinitionBody,
  JsonPath,
  LogLevel,
  StateMachine,
  StateMachineType,
  Succeed,
  TaskInput,
  Wait,
  WaitTime,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { ONBOARDING_INDEX } from '../../shared/domains/onboarding/manifest.js';
import { solutionsManifest } from '../../shared/domains/solutions/manifest.js';
import {
  BUSINESS_TOKEN_JOBS,
  businessTokenSecretPrefix,
  WABA_ENV,
  wabasManifest,
} from '../../shared/domains/wabas/manifest.js';
import {
  ARCHIVE_PREFIX,
  CLAIM_PREFIX,
  ENV,
  PASSTHROUGH_ARCHIVE_PREFIX,
} from '../../shared/platform/config/constants.js';
import { type DomainManifest, domainEnv } from '../../shared/platform/domain/domain.js';
import { acknowledge, arnToken, nagEnvironment } from '../config/nag.js';
import { identityEnvironment, onboardingEnvironment, type SwitchboardSettings } from '../config/settings.js';
import { bindDeliveryQueues } from './delivery-queues.js';
import type { StatefulResources } from './stateful.js';
import { SwitchboardFunction } from './switchboard-function.js';

/** The reconciler's Lambda timeout; its run budget stops it cleanly before that. */
export const RECONCILE_TIMEOUT = Duration.minutes(5);
/** Kept free before the reconciler's timeout to write its summary. */
export const RECONCILE_SAFETY_MARGIN = Duration.seconds(15);

/** A sweep loop stops after this long whatever happens (a 1,000,000-WABA sweep takes about an hour). */
export const SWEEP_TIMEOUT = Duration.hours(6);

/**
 * Reconciliation, the webhook fallback: on a schedule and on demand, never two runs at once. That is a lease
 * in the control table, not reserved concurrency 1: Lambda refuses any reservation that leaves the account
 * below its minimum unreserved concurrency, which a new account (quota 10) always would, so the first
 * `cdk deploy` there would fail.
 *
 * A sweep longer than one run (a partner with hundreds of thousands of WABAs) is driven by a Step Functions
 * Standard workflow, started by the schedule: it invokes the function, which continues the stored sweep from
 * its checkpoint and answers `more`, and loops until the sweep completes. Step Functions rather than a
 * re-invoking function or a tighter schedule: the loop is visible (each run is a history event), throttled
 * invocations are retried with backoff, one execution holds the lease across its runs so nothing interleaves,
 * and it costs a few state transitions per run. A run the schedule starts while a sweep is going finds the
 * lease held and ends at once.
 */
export class Reconciliation extends Construct {
  public readonly reconcile: SwitchboardFunction;
  public readonly sweep: StateMachine;

  public constructor(
    scope: Construct,
    id: string,
    props: { state: StatefulResources; settings: SwitchboardSettings; domains: readonly DomainManifest[] },
  ) {
    super(scope, id);
    const { state, settings } = props;
    const { metaSecret, claimChecks, archive } = state;
    this.reconcile = new SwitchboardFunction(this, 'Reconcile', {
      name: 'reconcile',
      invokedBy: 'schedule',
      timeout: RECONCILE_TIMEOUT,
      memorySize: 512,
      // No async retries on top of the schedule: a failed run is redone by the next one, never beside it.
      retryAttempts: 0,
      maxEventAge: Duration.minutes(Math.min(settings.reconcileRateMinutes, 360)),
      environment: {
        ...identityEnvironment(settings),
        [ENV.reconcileSafetyMarginMs]: String(RECONCILE_SAFETY_MARGIN.toMilliseconds()),
      },
    })
      .bindTable(state.table(solutionsManifest.name), 'RW', domainEnv.table(solutionsManifest))
      .bindTable(state.table(wabasManifest.name), 'RW', domainEnv.table(wabasManifest))
      .bindTable(state.table('control'), 'RW', ENV.controlTable)
      .bindSecretRead(metaSecret, ENV.metaSecretArn);
    // Replay (`POST /v1/replay`): read the archive, send through the webhook's queues and claim checks.
    bindDeliveryQueues(this.reconcile, state, props.domains)
      .bindClaimChecks(claimChecks, 'PUT', ENV.claimCheckBucket, CLAIM_PREFIX)
      .bindClaimChecks(archive, 'GET', ENV.archiveBucket, '');
    this.reconcile.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [archive.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${ARCHIVE_PREFIX}*`, `${PASSTHROUGH_ARCHIVE_PREFIX}*`] } },
      }),
    );
    acknowledge(
      this.reconcile.role ?? this.reconcile,
      `AwsSolutions-IAM5[Resource::${arnToken(archive)}/*]`,
      'A replay reads archived objects (deliveries/ and large/) by the keys it lists; it can write nothing there.',
    );
    acknowledge(
      this.reconcile.role ?? this.reconcile,
      `AwsSolutions-IAM5[Resource::${arnToken(claimChecks)}/${CLAIM_PREFIX}*]`,
      'A replayed change too large for SQS becomes a claim check, as in the webhook: PutObject under claims/ only.',
    );
    if (settings.businessTokens) this.bindOnboarding(state, settings);
    acknowledge(
      this.reconcile,
      'Serverless-LambdaAsyncFailureDestination',
      'Scheduled runs carry an empty event: a failed run has nothing to keep, raises ReconcileFailed, and the next scheduled run redoes the work.',
    );
    this.sweep = this.sweepLoop();
    const schedule = new Rule(this, 'ReconcileSchedule', {
      description: 'Switchboard reconciliation: the webhook fallback (starts or continues a sweep)',
      schedule: Schedule.rate(Duration.minutes(settings.reconcileRateMinutes)),
      // EventBridge retries only a failed *delivery*; a failed run is redone by the next schedule.
      targets: [new SfnStateMachine(this.sweep, { retryAttempts: 0, input: RuleTargetInput.fromObject({}) })],
    });
    acknowledge(
      schedule,
      'Serverless-EventBusDLQ',
      'A scheduled start carries no data to keep: a missed start is redone by the next one, and the ReconcileFailed and ReconcileSweepAge alarms watch the outcome.',
    );
  }

  /**
   * Onboarding's part of each sweep (with business tokens on): it queries onboardings by state (the stuck count),
   * reads business tokens to verify a WABA's subscription and credit line with Meta, and queues the onboarding job
   * of a WABA it starts or repairs.
   */
  private bindOnboarding(state: StatefulResources, settings: SwitchboardSettings): void {
    const stack = Stack.of(this);
    const prefix = businessTokenSecretPrefix(stack.stackName);
    for (const [name, value] of Object.entries({
      [WABA_ENV.businessTokensEnabled]: 'true',
      [WABA_ENV.businessTokenSecretPrefix]: prefix,
      ...(settings.businessTokenKmsKeyArn === ''
        ? {}
        : { [WABA_ENV.businessTokenKmsKeyId]: settings.businessTokenKmsKeyArn }),
      ...onboardingEnvironment(settings),
    }))
      this.reconcile.addEnvironment(name, value);
    this.reconcile
      .bindTable(state.table(wabasManifest.name), 'RO', domainEnv.table(wabasManifest), [
        ONBOARDING_INDEX.name,
      ])
      .bindQueueSend(state.queue(BUSINESS_TOKEN_JOBS.name).queue, domainEnv.queueUrl(BUSINESS_TOKEN_JOBS));
    const secrets = stack.formatArn({
      service: 'secretsmanager',
      resource: 'secret',
      resourceName: `${prefix}*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.reconcile.addToRolePolicy(
      new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secrets] }),
    );
    if (settings.businessTokenKmsKeyArn !== '') {
      this.reconcile.addToRolePolicy(
        new PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: [settings.businessTokenKmsKeyArn],
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.amazonaws.com` } },
        }),
      );
    }
    const { account, region } = nagEnvironment(this);
    acknowledge(
      this.reconcile.role ?? this.reconcile,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:${region}:${account}:secret:${prefix}*]`,
      'Reads the business tokens the actions function keeps, one secret per customer business under this stack\u2019s prefix, to verify onboardings with Meta.',
    );
  }

  /** Invoke → more? → pause 1 s → invoke ... → done; the execution's ID is the lease owner of its runs. */
  private sweepLoop(): StateMachine {
    const run = new LambdaInvoke(this, 'RunReconciliation', {
      lambdaFunction: this.reconcile,
      payload: TaskInput.fromObject({ sweepOwner: JsonPath.stringAt('$$.Execution.Id') }),
      payloadResponseOnly: true,
      // CDK's default retries (service errors, client timeouts) may fire while the first invocation still runs,
      // and both would hold this execution's lease: only a throttle, which never ran, is retried. Any other
      // failure ends the execution (ReconcileFailed), and the next schedule continues from the checkpoint.
      retryOnServiceExceptions: false,
    });
    run.addRetry({
      errors: ['Lambda.TooManyRequestsException'],
      interval: Duration.seconds(2),
      backoffRate: 2,
      maxAttempts: 6,
    });
    const pause = new Wait(this, 'Pause', { time: WaitTime.duration(Duration.seconds(1)) });
    const definition = run.next(
      new Choice(this, 'SweepGoesOn')
        .when(Condition.booleanEquals('$.more', true), pause.next(run))
        .otherwise(new Succeed(this, 'SweepDoneOrSkipped')),
    );
    const logs = new LogGroup(this, 'SweepLogs', {
      // Step Functions adds every log group it writes to the account's CloudWatch Logs resource policy (5,120
      // characters at most) unless its name starts with /aws/vendedlogs/: in a busy account the first deploy
      // would fail there (Step Functions best practices, "Avoiding CloudWatch Logs resource policy size limits").
      logGroupName: `/aws/vendedlogs/states/${Stack.of(this).stackName}-reconcile-sweep`,
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const machine = new StateMachine(this, 'ReconcileSweep', {
      definitionBody: DefinitionBody.fromChainable(definition),
      stateMachineType: StateMachineType.STANDARD,
      timeout: SWEEP_TIMEOUT,
      tracingEnabled: true,
      logs: { destination: logs, level: LogLevel.ALL, includeExecutionData: false },
    });
    acknowledge(
      machine.role,
      `AwsSolutions-IAM5[Resource::${arnToken(this.reconcile)}:*]`,
      "LambdaInvoke's grant covers the reconcile function's versions and aliases (CDK's default); it can invoke nothing else.",
    );
    acknowledge(
      machine.role,
      'AwsSolutions-IAM5[Resource::*]',
      'X-Ray tracing and CloudWatch Logs delivery take no resource ARN (the actions Step Functions adds for tracing and logging).',
    );
    return machine;
  }
}
