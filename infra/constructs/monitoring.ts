import { Duration, Stack } from 'aws-cdk-lib';
import type { HttpApi, HttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  SingleValueWidget,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { METRIC_NAMESPACE } from '../../shared/constants.js';
import { acknowledge } from '../nag.js';
import type { SwitchboardSettings } from '../settings.js';
import type { DomainQueue } from './domain-queue.js';

/** Meta's limit for Tech Providers: 200 new customers in a rolling week. */
export const WEEKLY_ONBOARDING_LIMIT = 200;

export interface MonitoringProps {
  settings: SwitchboardSettings;
  webhook: IFunction;
  consumers: IFunction[];
  reconcile: IFunction;
  /** The functions behind /v1 (read API, actions, reconciliation), with their Powertools service names. */
  httpFunctions: { fn: IFunction; service: string }[];
  httpApi: HttpApi;
  stage: HttpStage;
  queues: DomainQueue[];
}

const appMetric = (
  metricName: string,
  service: string,
  statistic = 'Sum',
  period = Duration.minutes(5),
  extra: Record<string, string> = {},
) =>
  new Metric({
    namespace: METRIC_NAMESPACE,
    metricName,
    dimensionsMap: { service, ...extra },
    statistic,
    period,
  });

const search = (expression: string, label: string) =>
  new MathExpression({ expression: `SEARCH('${expression}', 'Sum', 300)`, label, usingMetrics: {} });

/**
 * Alarms an operator needs within minutes (Meta disables a Messenger webhook after an hour of failures),
 * an optional SNS topic with e-mail, and one dashboard. The README runbook explains each alarm.
 */
export class Monitoring extends Construct {
  public readonly topic: Topic;
  public readonly alarms: Alarm[] = [];

  public constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.topic = new Topic(this, 'AlarmTopic', { displayName: 'Switchboard alarms', enforceSSL: true });
    // enforceSSL writes a topic policy, which replaces SNS's default one: without this statement nothing
    // would allow CloudWatch to publish, and no alarm would ever reach anyone.
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    if (props.settings.alarmEmail !== '') {
      const subscription = this.topic.addSubscription(new EmailSubscription(props.settings.alarmEmail));
      acknowledge(
        subscription,
        'Serverless-SNSRedrivePolicy',
        'An alarm e-mail that cannot be delivered has nothing to replay; SNS reports it in NumberOfNotificationsFailed, and the alarm stays visible in CloudWatch.',
      );
    }
    const action = new SnsAction(this.topic);
    const alarm = (alarmId: string, description: string, options: ConstructorParameters<typeof Alarm>[2]) => {
      const created = new Alarm(this, alarmId, { ...options, alarmDescription: description });
      created.addAlarmAction(action);
      this.alarms.push(created);
      return created;
    };

    for (const domainQueue of props.queues) {
      const name = domainQueue.node.id;
      alarm(
        `${name}DlqNotEmpty`,
        `Messages in the ${name} DLQ: events that could not be applied. Runbook: "DLQ not empty".`,
        {
          metric: domainQueue.dlq.metricApproximateNumberOfMessagesVisible({
            period: Duration.minutes(1),
            statistic: 'Maximum',
          }),
          threshold: 0,
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        },
      );
    }
    for (const fn of props.consumers) {
      const name = fn.node.id;
      alarm(`${name}Errors`, `${name} invocations failed as a whole. Runbook: "Consumer errors".`, {
        metric: fn.metricErrors({ period: Duration.minutes(5) }),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    }
    // Alarms cannot use SEARCH: the failed outcomes of the three domains, summed explicitly.
    const failedRecords = new MathExpression({
      expression: 'solutions + wabas + threads',
      label: 'failed records',
      period: Duration.minutes(5),
      usingMetrics: Object.fromEntries(
        (['solutions', 'wabas', 'threads'] as const).map((domain) => [
          domain,
          appMetric('EventsProcessed', domain, 'Sum', Duration.minutes(5), {
            Domain: domain,
            Outcome: 'failed',
          }),
        ]),
      ),
    });
    alarm(
      'ConsumerRecordFailures',
      'Records failing to apply (throttling, outages). Runbook: "Consumer errors".',
      {
        metric: failedRecords,
        threshold: 10,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      },
    );

    // The webhook's own 5xx: answers it counted as its fault, and invocations that never answered
    // (errors, throttles) which API Gateway turns into 5xx. Meta's refusals of our actions (502) are not here.
    const serverErrors = (fn: IFunction, service: string, prefix: string) => ({
      [`${prefix}h`]: appMetric('HttpServerErrors', service),
      [`${prefix}e`]: fn.metricErrors({ period: Duration.minutes(5) }),
      [`${prefix}t`]: fn.metricThrottles({ period: Duration.minutes(5) }),
    });
    const sumOf = (label: string, metrics: Record<string, IMetric>) =>
      new MathExpression({
        expression: Object.keys(metrics).join(' + '),
        label,
        period: Duration.minutes(5),
        usingMetrics: metrics,
      });
    const webhook5xx = sumOf('webhook 5xx', serverErrors(props.webhook, 'webhook', 'w'));
    alarm(
      'Webhook5xx',
      'The webhook answered 5xx: Meta will redeliver, but look now. Runbook: "Webhook 5xx".',
      {
        metric: webhook5xx,
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      },
    );
    const api5xx = sumOf(
      'API 5xx (our faults)',
      Object.assign(
        {},
        ...props.httpFunctions.map(({ fn, service }, index) => serverErrors(fn, service, `a${index}`)),
      ),
    );
    alarm(
      'Api5xx',
      'The /v1 API answered 5xx through its own fault (not Meta refusing). Runbook: "API 5xx".',
      {
        metric: api5xx,
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      },
    );
    const webhookP99 = props.webhook.metricDuration({ period: Duration.minutes(5), statistic: 'p99' });
    alarm('WebhookLatencyP99', 'Webhook p99 duration above 3 s for 15 minutes. Runbook: "Webhook latency".', {
      metric: webhookP99,
      threshold: 3_000,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    const rate = Duration.minutes(props.settings.reconcileRateMinutes);
    alarm(
      'ReconcileFailed',
      'A reconciliation run failed (token, Graph API, tables). Runbook: "Reconciliation failed".',
      {
        metric: props.reconcile.metricErrors({ period: rate }),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      },
    );
    alarm(
      'ReconcileDrift',
      'Reconciliation found WABAs no webhook announced. Runbook: "Reconciliation drift".',
      {
        metric: appMetric('WabasDiscovered', 'reconcile', 'Sum', rate),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      },
    );
    const onboardings = appMetric('CustomerOnboarded', 'wabas', 'Sum', Duration.days(7));
    const onboardingThreshold = Math.floor(WEEKLY_ONBOARDING_LIMIT * props.settings.onboardingAlarmShare);
    alarm(
      'OnboardingLimit',
      `Onboardings in the rolling 7 days reached ${onboardingThreshold} of Meta's ${WEEKLY_ONBOARDING_LIMIT}. Runbook: "Onboarding limit".`,
      {
        metric: onboardings,
        threshold: onboardingThreshold,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      },
    );

    const dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `${scope.node.id}-switchboard`.slice(0, 255),
    });
    const consumerFns = props.consumers;
    dashboard.addWidgets(
      new TextWidget({
        markdown: '# Switchboard\nRunbook: see the README section **Runbook**.',
        width: 24,
        height: 2,
      }),
      new GraphWidget({
        title: 'Deliveries',
        left: [
          appMetric('DeliveriesAccepted', 'webhook'),
          search(`{${METRIC_NAMESPACE},Reason,service} MetricName="DeliveriesRejected"`, 'rejected'),
        ],
        width: 8,
      }),
      new GraphWidget({
        title: 'Changes by kind',
        left: [search(`{${METRIC_NAMESPACE},Kind,service} MetricName="ChangesByKind"`, 'kind')],
        width: 8,
      }),
      new GraphWidget({
        title: 'Passthrough and claim checks',
        left: [
          appMetric('PassthroughMessages', 'webhook'),
          appMetric('ClaimChecks', 'webhook'),
          appMetric('QueueSendRetries', 'webhook'),
        ],
        width: 8,
      }),
      new GraphWidget({
        title: 'Consumer outcomes',
        left: [
          search(`{${METRIC_NAMESPACE},Domain,Outcome,service} MetricName="EventsProcessed"`, 'outcome'),
        ],
        width: 8,
      }),
      new GraphWidget({
        title: 'Queue depth',
        left: props.queues.map((q) =>
          q.queue.metricApproximateNumberOfMessagesVisible({ label: q.node.id, statistic: 'Maximum' }),
        ),
        right: props.queues.map((q) =>
          q.dlq.metricApproximateNumberOfMessagesVisible({ label: `${q.node.id} DLQ`, statistic: 'Maximum' }),
        ),
        width: 8,
      }),
      new GraphWidget({
        title: 'API',
        left: [
          new Metric({
            namespace: 'AWS/ApiGateway',
            metricName: '5xx',
            dimensionsMap: { ApiId: props.httpApi.apiId, Stage: props.stage.stageName },
            statistic: 'Sum',
          }),
          new Metric({
            namespace: 'AWS/ApiGateway',
            metricName: '4xx',
            dimensionsMap: { ApiId: props.httpApi.apiId, Stage: props.stage.stageName },
            statistic: 'Sum',
          }),
        ],
        right: [webhookP99],
        width: 8,
      }),
      new GraphWidget({
        title: 'Function errors',
        left: [props.webhook, props.reconcile, ...consumerFns].map((fn) =>
          fn.metricErrors({ label: fn.node.id }),
        ),
        width: 8,
      }),
      new GraphWidget({
        title: 'Reconciliation',
        left: ['WabasSeen', 'WabasDiscovered', 'SolutionsChanged', 'GraphRetries', 'ReconcilePages'].map(
          (name) => appMetric(name, 'reconcile', 'Sum', rate),
        ),
        right: [appMetric('ReconcileDurationMs', 'reconcile', 'Maximum', rate)],
        width: 8,
      }),
      new SingleValueWidget({ title: 'Onboardings, rolling 7 days', metrics: [onboardings], width: 8 }),
    );
  }
}
