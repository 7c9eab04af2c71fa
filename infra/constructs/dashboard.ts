import { Duration } from 'aws-cdk-lib';
import type { HttpApi, HttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Dashboard,
  GraphWidget,
  type IMetric,
  type IWidget,
  Metric,
  SingleValueWidget,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { METRIC_NAMESPACE } from '../../shared/platform/config/constants.js';
import type { DomainQueue } from './domain-queue.js';
import { appMetric, search } from './metrics.js';

export interface DashboardProps {
  reconcileRateMinutes: number;
  webhook: IFunction;
  consumers: IFunction[];
  reconcile: IFunction;
  httpApi: HttpApi;
  stage: HttpStage;
  queues: DomainQueue[];
}

const apiMetric = (props: DashboardProps, metricName: string) =>
  new Metric({
    namespace: 'AWS/ApiGateway',
    metricName,
    dimensionsMap: { ApiId: props.httpApi.apiId, Stage: props.stage.stageName },
    statistic: 'Sum',
  });

/** One dashboard: deliveries, changes, queues, consumers, the API, reconciliation and onboardings. */
export class SwitchboardDashboard extends Construct {
  /** The dashboard itself: other concerns (the relay) add their rows. */
  public readonly dashboard: Dashboard;

  public constructor(scope: Construct, id: string, props: DashboardProps) {
    super(scope, id);
    const rate = Duration.minutes(props.reconcileRateMinutes);
    const graph = (title: string, left: IMetric[], right?: IMetric[]) =>
      new GraphWidget({ title, left, ...(right === undefined ? {} : { right }), width: 8 });
    const widgets: IWidget[] = [
      new TextWidget({
        markdown: '# Switchboard\nRunbook: docs/runbook.md in the repository (one entry per alarm).',
        width: 24,
        height: 2,
      }),
      graph('Deliveries', [
        appMetric('DeliveriesAccepted', 'webhook'),
        search(`{${METRIC_NAMESPACE},Reason,service} MetricName="DeliveriesRejected"`, 'rejected'),
      ]),
      graph('Changes by kind', [
        search(`{${METRIC_NAMESPACE},Kind,service} MetricName="ChangesByKind"`, 'kind'),
      ]),
      graph(
        'Passthrough and claim checks',
        ['PassthroughMessages', 'ClaimChecks', 'QueueSendRetries'].map((name) => appMetric(name, 'webhook')),
      ),
      graph('Consumer outcomes', [
        search(`{${METRIC_NAMESPACE},Domain,Outcome,service} MetricName="EventsProcessed"`, 'outcome'),
      ]),
      graph(
        'Queue depth',
        props.queues.map((q) =>
          q.queue.metricApproximateNumberOfMessagesVisible({ label: q.node.id, statistic: 'Maximum' }),
        ),
        props.queues.map((q) =>
          q.dlq.metricApproximateNumberOfMessagesVisible({ label: `${q.node.id} DLQ`, statistic: 'Maximum' }),
        ),
      ),
      graph(
        'API',
        [apiMetric(props, '5xx'), apiMetric(props, '4xx')],
        [props.webhook.metricDuration({ period: Duration.minutes(5), statistic: 'p99' })],
      ),
      graph(
        'Function errors',
        [props.webhook, props.reconcile, ...props.consumers].map((fn) =>
          fn.metricErrors({ label: fn.node.id }),
        ),
      ),
      graph(
        'Reconciliation',
        ['WabasSeen', 'WabasDiscovered', 'SolutionsChanged', 'GraphRetries', 'ReconcilePages'].map((name) =>
          appMetric(name, 'reconcile', 'Sum', rate),
        ),
        [appMetric('ReconcileDurationMs', 'reconcile', 'Maximum', rate)],
      ),
      new SingleValueWidget({
        title: 'Onboardings, rolling 7 days',
        metrics: [appMetric('CustomerOnboarded', 'wabas', 'Sum', Duration.days(7))],
        width: 8,
      }),
    ];
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `${scope.node.id}-switchboard`.slice(0, 255),
    });
    this.dashboard.addWidgets(...widgets);
  }
}
