import { Duration } from 'aws-cdk-lib';
import { GraphWidget, type IWidget, MathExpression, TextWidget } from 'aws-cdk-lib/aws-cloudwatch';
import { relayService } from '../../shared/app/relay/destinations.js';
import type { Alarms } from './alarms.js';
import { appMetric } from './metrics.js';
import type { Relay, RelayLane } from './relay.js';

const FIVE_MINUTES = Duration.minutes(5);

/** Copies waiting longer than this raise the destination's backlog alarm. */
export const RELAY_BACKLOG_SECONDS = 900;

/**
 * The relay replay's own faults (its 5xx answers, errors, throttles), and each destination's alarms: copies in
 * its DLQ (refused, or out of attempts), copies waiting more than 15 minutes (the destination is down, or slower
 * than its traffic at its concurrency), and its deliverer failing as a whole.
 */
export const addRelayAlarms = (alarms: Alarms, relay: Pick<Relay, 'lanes' | 'replay'>): void => {
  alarms.alarm(
    'RelayReplay5xx',
    'POST /v1/relay/{name}/replay answered 5xx through its own fault. Runbook: "API 5xx".',
    {
      metric: new MathExpression({
        expression: 'h + e + t',
        label: 'relay replay 5xx (our faults)',
        period: FIVE_MINUTES,
        usingMetrics: {
          h: appMetric('HttpServerErrors', 'relay-replay'),
          e: relay.replay.metricErrors({ period: FIVE_MINUTES }),
          t: relay.replay.metricThrottles({ period: FIVE_MINUTES }),
        },
      }),
    },
  );
  for (const { title, destination, queue, deliverer } of relay.lanes) {
    alarms.alarm(
      `${title}DlqNotEmpty`,
      `Copies for relay destination ${destination.name} could not be delivered (refused, or out of attempts). Runbook: docs/relay.md "When a destination fails".`,
      {
        metric: queue.dlq.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: 'Maximum',
        }),
      },
    );
    alarms.alarm(
      `${title}Backlog`,
      `Copies for relay destination ${destination.name} have waited over ${RELAY_BACKLOG_SECONDS / 60} minutes. Runbook: docs/relay.md "When a destination fails".`,
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
      `The deliverer of relay destination ${destination.name} failed as a whole. Runbook: docs/relay.md "When a destination fails".`,
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
