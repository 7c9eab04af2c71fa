import { Duration } from 'aws-cdk-lib';
import { MathExpression, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { METRIC_NAMESPACE } from '../../shared/platform/config/constants.js';

/** A metric the functions emit (namespace `Switchboard`, dimension `service` = the Powertools service). */
export const appMetric = (
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

/** A dashboard-only SEARCH over one of our metrics (CloudWatch alarms refuse SEARCH). */
export const search = (expression: string, label: string) =>
  new MathExpression({ expression: `SEARCH('${expression}', 'Sum', 300)`, label, usingMetrics: {} });
