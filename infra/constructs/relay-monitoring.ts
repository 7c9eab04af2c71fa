import { Duration } from 'aws-cdk-lib';
import { GraphWidget, type IWidget, TextWidget } from 'aws-cdk-lib/aws-cloudwatch';
import { relayService } from '../../shared/app/relay/destinations.js';
import type { Alarms } from './alarms.js';
import { appMetric } from './metrics.js';
import type { RelayLane } from './relay.js';

const FIVE_MINUTES = Duration.minutes(5);

/** Copies waiting longer than this raise the destination's backlog alarm. */
export const RELAY_BACKLOG_SECONDS = 900;

/**
 * Each destination's alarms: copies in its DLQ (refused, or out of attempts), copies waiting more than 15 minutes
 * (the destination is down, or slower than its traffic at its concurrency), and its deliverer failing as a whole.
 * The replay to a destination is a route of the reconcile function, under its `Api5xx` alarm.
 */
export const addRelayAlarms = (alarms: Alarms, lanes: readonly RelayLane[]): void => {
  for (const { title, destination, queue, deliverer } of lanes) {
    alarms.alarm(
      `${title}DlqNotEmpty`,
      `Copies for relay destination ${destination.name} could not be delivered (refused, or out of attempts). Runbook: "Relay destination failing".`,
      {
        metric: queue.dlq.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: 'Maximum',
        }),
      },
    );
    alarms.alarm(
      `${title}Backlog`,
      `Copies for relay destination ${destination.name} have waited over ${RELAY_BACKLOG_SECONDS / 60} minutes. Runbook: "Relay destination failing".`,
      {
        metric: queue.queue.metricApproximateAgeOfOldestMessage({
          period: FIVE_MINUTES,
          statistic: 'Maximum',
        }),
        threshold: RELAY_BACKLOG_SECONDS,
        evaluationPeriods: 2,
      },
    );
    alarms.alarm(
      `${title}DelivererErrors`,
      `The deliverer of relay destination ${destination.name} failed as a whole. Runbook: "Relay destination failing".`,
      { metric: deliverer.metricErrors({ period: FIVE_MINUTES }) },
    );
  }
};

/** One dashboard row per destination: outcomes, request latency, and how long copies wait. */
export const relayWidgets = (lanes: readonly RelayLane[]): IWidget[] => {
  if (lanes.length === 0) return [];
  const header = new TextWidget({
    markdown:
      '## Relay\nPer destination: forwarded, retried and failed copies; request latency; oldest waiting copy.',
    width: 24,
    height: 2,
  });
  return [
    header,
    ...lanes.flatMap(({ destination, queue, deliverer }) => {
      const service = relayService(destination.name);
      return [
        new GraphWidget({
          title: `${destination.name}: copies`,
          left: [
            queue.queue.metricNumberOfMessagesSent({ label: 'queued', statistic: 'Sum' }),
            ...['RelayForwarded', 'RelayRetried', 'RelayFailed'].map((name) => appMetric(name, service)),
          ],
          right: [queue.dlq.metricApproximateNumberOfMessagesVisible({ label: 'DLQ', statistic: 'Maximum' })],
          width: 8,
        }),
        new GraphWidget({
          title: `${destination.name}: request latency (ms)`,
          left: ['p50', 'p99'].map((statistic) =>
            appMetric('RelayLatencyMs', service, statistic, FIVE_MINUTES),
          ),
          right: [deliverer.metricDuration({ statistic: 'p99', label: 'deliverer duration p99' })],
          width: 8,
        }),
        new GraphWidget({
          title: `${destination.name}: oldest waiting copy (s)`,
          left: [queue.queue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum' })],
          right: [
            queue.queue.metricApproximateNumberOfMessagesVisible({ label: 'waiting', statistic: 'Maximum' }),
          ],
          width: 8,
        }),
      ];
    }),
  ];
};
