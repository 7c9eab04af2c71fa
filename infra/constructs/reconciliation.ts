import { Duration } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import { ENV } from '../../shared/constants.js';
import { acknowledge } from '../nag.js';
import { identityEnvironment, type SwitchboardSettings } from '../settings.js';
import type { StatefulResources } from './stateful.js';
import { SwitchboardFunction } from './switchboard-function.js';

/** The reconciler's Lambda timeout; its run budget stops it cleanly before that. */
export const RECONCILE_TIMEOUT = Duration.minutes(5);
/** Kept free before the reconciler's timeout to write its summary. */
export const RECONCILE_SAFETY_MARGIN = Duration.seconds(15);

/**
 * Reconciliation, the webhook fallback: on a schedule and on demand, never two runs at once. That is a lease
 * in the control table, not reserved concurrency 1: Lambda refuses any reservation that leaves the account
 * below its minimum unreserved concurrency, which a new account (quota 10) always would, so the first
 * `cdk deploy` there would fail.
 */
export class Reconciliation extends Construct {
  public readonly reconcile: SwitchboardFunction;

  public constructor(scope: Construct, id: string, state: StatefulResources, settings: SwitchboardSettings) {
    super(scope, id);
    const { tables, metaSecret } = state;
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
      .bindTable(tables.solutions, 'RW', ENV.solutionsTable)
      .bindTable(tables.wabas, 'RW', ENV.wabasTable)
      .bindTable(tables.control, 'RW', ENV.controlTable)
      .bindSecretRead(metaSecret, ENV.metaSecretArn);
    acknowledge(
      this.reconcile,
      'Serverless-LambdaAsyncFailureDestination',
      'Scheduled runs carry an empty event: a failed run has nothing to keep, raises ReconcileFailed, and the next scheduled run redoes the work.',
    );
    const schedule = new Rule(this, 'ReconcileSchedule', {
      description: 'Switchboard reconciliation: the webhook fallback',
      schedule: Schedule.rate(Duration.minutes(settings.reconcileRateMinutes)),
      // EventBridge retries only a failed *delivery*; a failed run is redone by the next schedule.
      targets: [new LambdaFunction(this.reconcile, { retryAttempts: 0 })],
    });
    acknowledge(
      schedule,
      'Serverless-EventBusDLQ',
      'A scheduled run carries no data to keep: a missed run is redone by the next one, and the ReconcileFailed alarm watches the function.',
    );
  }
}
