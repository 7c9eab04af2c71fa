import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRIC_NAMESPACE } from '../constants.js';

/**
 * Structured logs (Powertools Logger, JSON) and CloudWatch embedded-format metrics (Powertools Metrics).
 * `count` with dimensions publishes a single metric at once, so one invocation can report several
 * dimension values (reasons, kinds, outcomes) without mixing them up.
 */
export class Telemetry {
  public readonly logger: Logger;
  public readonly metrics: Metrics;

  public constructor(serviceName: string) {
    this.logger = new Logger({ serviceName });
    this.metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName });
  }

  /**
   * Counts `value` (zero counts are not written, since every metric document is billed log volume;
   * `keepZero` writes them, for figures whose zero is news such as a reconciliation summary).
   */
  public count(name: string, value = 1, dimensions?: Record<string, string>, keepZero = false): void {
    if (value === 0 && !keepZero) return;
    if (dimensions === undefined) {
      this.metrics.addMetric(name, MetricUnit.Count, value);
      return;
    }
    const single = this.metrics.singleMetric();
    single.addDimensions(dimensions);
    single.addMetric(name, MetricUnit.Count, value);
  }

  public milliseconds(name: string, value: number): void {
    this.metrics.addMetric(name, MetricUnit.Milliseconds, value);
  }
}
