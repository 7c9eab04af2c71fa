import { Duration, Stack } from 'aws-cdk-lib';
import {
  Alarm,
  type AlarmProps,
  AlarmRule,
  ComparisonOperator,
  CompositeAlarm,
  type IMetric,
  MathExpression,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { acknowledge } from '../config/nag.js';
import type { SwitchboardSettings } from '../config/settings.js';
import type { DomainQueue } from './domain-queue.js';
import { appMetric } from './metrics.js';

/** Meta's limit for Tech Providers: 200 new customers in a rolling week. */
export const WEEKLY_ONBOARDING_LIMIT = 200;

export interface AlarmsProps {
  settings: SwitchboardSettings;
  webhook: IFunction;
  /** Functions fed by queues (each domain's consumer and the actions function's jobs). */
  consumers: IFunction[];
  /** The domains whose consumers' failed records are counted. */
  domains: readonly string[];
  reconcile: IFunction;
  /** The Step Functions loop that drives long sweeps. */
  sweep: IStateMachine;
  /** The functions behind /v1 (read API, actions, reconciliation), with their Powertools service names. */
  httpFunctions: { fn: IFunction; service: string }[];
  queues: DomainQueue[];
  /** The domain-events publisher and its stream failure queue. */
  events: { fn: IFunction; failures: IQueue };
}

const FIVE_MINUTES = Duration.minutes(5);

/** The answers a function gave by its own fault, plus the invocations that never answered (errors, throttles). */
const serverErrors = (fn: IFunction, service: string, prefix: string): Record<string, IMetric> => ({
  [`${prefix}h`]: appMetric('HttpServerErrors', service),
  [`${prefix}e`]: fn.metricErrors({ period: FIVE_MINUTES }),
  [`${prefix}t`]: fn.metricThrottles({ period: FIVE_MINUTES }),
});

/** Alarms cannot use SEARCH: metrics are summed explicitly. */
const sumOf = (label: string, metrics: Record<string, IMetric>) =>
  new MathExpression({
    expression: Object.keys(metrics).join(' + '),
    label,
    period: FIVE_MINUTES,
    usingMetrics: metrics,
  });

/**
 * The alarms an operator needs within minutes (Meta disables a Messenger webhook after an hour of
 * failures), sent to an SNS topic with optional e-mail. docs/runbook.md explains each alarm (test/ops/runbook.test.ts keeps them in step).
 */
export class Alarms extends Construct {
  public readonly topic: Topic;
  public readonly alarms: Alarm[] = [];

  public constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    this.topic = this.createTopic(props.settings.alarmEmail);
    const rate = Duration.minutes(props.settings.reconcileRateMinutes);
    for (const { node, dlq } of props.queues) {
      this.alarm(
        `${node.id}DlqNotEmpty`,
        `Messages in the ${node.id} DLQ: events that could not be applied. Runbook: "DLQ not empty".`,
        {
          metric: dlq.metricApproximateNumberOfMessagesVisible({
            period: Duration.minutes(1),
            statistic: 'Maximum',
          }),
        },
      );
    }
    for (const fn of props.consumers) {
      this.alarm(
        `${fn.node.id}Errors`,
        `${fn.node.id} invocations failed as a whole. Runbook: "Consumer errors".`,
        {
          metric: fn.metricErrors({ period: FIVE_MINUTES }),
        },
      );
    }
    const failed = (domain: string) =>
      appMetric('EventsProcessed', domain, 'Sum', FIVE_MINUTES, { Domain: domain, Outcome: 'failed' });
    this.alarm(
      'ConsumerRecordFailures',
      'Records failing to apply (throttling, outages). Runbook: "Consumer errors".',
      {
        metric: sumOf(
          'failed records',
          Object.fromEntries(props.domains.map((domain, index) => [`d${index}`, failed(domain)])),
        ),
        threshold: 10,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      },
    );
    this.alarm(
      'Webhook5xx',
      'The webhook answered 5xx: Meta will redeliver, but look now. Runbook: "Webhook 5xx".',
      {
        metric: sumOf('webhook 5xx', serverErrors(props.webhook, 'webhook', 'w')),
      },
    );
    this.apiAlarms(props.httpFunctions);
    this.alarm(
      'WebhookLatencyP99',
      'Webhook p99 duration above 3 s for 15 minutes. Runbook: "Webhook latency".',
      {
        metric: props.webhook.metricDuration({ period: FIVE_MINUTES, statistic: 'p99' }),
        threshold: 3_000,
        evaluationPeriods: 3,
      },
    );
    this.reconciliationAlarms(props, rate);
    if (props.settings.businessTokens) this.onboardingAlarm(props.settings, rate);
    const threshold = Math.floor(WEEKLY_ONBOARDING_LIMIT * props.settings.onboardingAlarmShare);
    this.alarm(
      'OnboardingLimit',
      `Onboardings in the rolling 7 days reached ${threshold} of Meta's ${WEEKLY_ONBOARDING_LIMIT}. Runbook: "Onboarding limit".`,
      {
        metric: appMetric('CustomerOnboarded', 'wabas', 'Sum', Duration.days(7)),
        threshold,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      },
    );
  }

  /**
   * One alarm per /v1 function (its 5xx, errors and throttles: three metrics, however many functions there
   * are), joined by the composite `Api5xx` that notifies: a metric math alarm may reference at most 10 metrics
   * (CloudWatch "Limits that apply to alarms based on metric math expressions"), which one sum over every
   * function would exceed with the fourth.
   */
  private apiAlarms(httpFunctions: AlarmsProps['httpFunctions']): void {
    const perFunction = httpFunctions.map(
      ({ fn, service }) =>
        new Alarm(this, `Api5xx${service[0]?.toUpperCase()}${service.slice(1)}`, {
          metric: sumOf(`${service} 5xx (our faults)`, serverErrors(fn, service, 's')),
          threshold: 0,
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
          alarmDescription: `The ${service} function answered 5xx through its own fault; part of Api5xx (which notifies). Runbook: "API 5xx".`,
        }),
    );
    const api = new CompositeAlarm(this, 'Api5xx', {
      alarmRule: AlarmRule.anyOf(...perFunction),
      alarmDescription:
        'The /v1 API answered 5xx through its own fault (not Meta refusing). Runbook: "API 5xx".',
    });
    api.addAlarmAction(new SnsAction(this.topic));
  }

  private reconciliationAlarms(props: AlarmsProps, rate: Duration): void {
    this.alarm(
      'ReconcileFailed',
      'A reconciliation run failed (token, Graph API, tables). Runbook: "Reconciliation failed".',
      {
        // Runs that failed, were throttled, or whose sweep loop failed, timed out or was aborted.
        metric: sumOf('reconciliation failures', {
          e: props.reconcile.metricErrors({ period: rate }),
          t: props.reconcile.metricThrottles({ period: rate }),
          f: props.sweep.metricFailed({ period: rate }),
          o: props.sweep.metricTimedOut({ period: rate }),
          a: props.sweep.metricAborted({ period: rate }),
        }),
      },
    );
    this.alarm(
      'ReconcileDrift',
      'Reconciliation found WABAs no webhook announced. Runbook: "Reconciliation drift".',
      {
        metric: appMetric('WabasDiscovered', 'reconcile', 'Sum', rate),
      },
    );
    this.alarm(
      'DomainEventsFailing',
      'Domain events could not be published (EventBridge refused, or the publisher failed); records are retried, then parked. Runbook: "Domain events failing".',
      {
        metric: sumOf('domain event failures', {
          p: appMetric('DomainEventsPublishFailed', 'events'),
          e: props.events.fn.metricErrors({ period: FIVE_MINUTES }),
          d: props.events.failures.metricApproximateNumberOfMessagesVisible({
            period: FIVE_MINUTES,
            statistic: 'Maximum',
          }),
        }),
      },
    );
    this.alarm(
      'ReconcileSweepAge',
      `No reconciliation sweep completed in ${props.settings.sweepMaxAgeHours} hours (or reconciliation stopped reporting). Runbook: "Reconciliation sweep age".`,
      {
        // A run that finds no system user token yet (before step 4 of the Deploy guide) reports
        // ReconcileNotConfigured instead of an age: the age is then 0, not missing (missing still breaches).
        metric: new MathExpression({
          expression: 'IF(FILL(notConfigured, 0) > 0, 0, age)',
          label: 'sweep age (0 while not configured)',
          period: Duration.hours(1),
          usingMetrics: {
            age: appMetric('ReconcileSweepAgeSeconds', 'reconcile', 'Maximum', Duration.hours(1)),
            notConfigured: appMetric('ReconcileNotConfigured', 'reconcile', 'Maximum', Duration.hours(1)),
          },
        }),
        threshold: props.settings.sweepMaxAgeHours * 3_600,
        treatMissingData: TreatMissingData.BREACHING,
      },
    );
  }

  /**
   * Onboarding steps stuck: every reconciliation run counts the active WABAs with a step pending or failed longer
   * than `switchboard:onboardingStuckAfterMinutes` (`OnboardingsStuck`, a gauge); any in the period alarms.
   */
  private onboardingAlarm(settings: SwitchboardSettings, rate: Duration): void {
    this.alarm(
      'OnboardingStuck',
      `An onboarding step stayed pending or failed for more than ${settings.onboardingStuckAfterMinutes} minutes: GET /v1/onboardings?state=failed (or pending). Runbook: "Onboarding stuck" (docs/onboarding.md).`,
      { metric: appMetric('OnboardingsStuck', 'reconcile', 'Maximum', rate) },
    );
  }

  /** One alarm to the topic; by default "above 0 in one period", missing data not breaching. */
  public alarm(
    id: string,
    description: string,
    options: Partial<AlarmProps> & Pick<AlarmProps, 'metric'>,
  ): Alarm {
    const created = new Alarm(this, id, {
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      ...options,
      alarmDescription: description,
    });
    created.addAlarmAction(new SnsAction(this.topic));
    this.alarms.push(created);
    return created;
  }

  private createTopic(email: string): Topic {
    const topic = new Topic(this, 'AlarmTopic', { displayName: 'Switchboard alarms', enforceSSL: true });
    // enforceSSL writes a topic policy, which replaces SNS's default one: without this statement nothing
    // would allow CloudWatch to publish, and no alarm would ever reach anyone.
    topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    if (email !== '') {
      const subscription = topic.addSubscription(new EmailSubscription(email));
      acknowledge(
        subscription,
        'Serverless-SNSRedrivePolicy',
        'An alarm e-mail that cannot be delivered has nothing to replay; SNS reports it in NumberOfNotificationsFailed, and the alarm stays visible in CloudWatch.',
      );
    }
    return topic;
  }
}
