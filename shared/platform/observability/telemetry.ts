import { METRIC_NAMESPACE } from '../config/constants.js';
import { EmfMetrics } from './emf.js';
import { Logger } from './logger.js';

/**
 * Structured logs (`Logger`: JSON lines in Powertools' shape) and CloudWatch embedded-format metrics (`EmfMetrics`).
 * `count` with dimensions publishes a single metric at once, so one invocation can report several
 * dimension values (reasons, kinds, outcomes) without mixing them up.
 */
export class Telemetry {
  public readonly logger: Logger;
  public readonly metrics: EmfMetrics;

  public constructor(serviceName: string) {
    this.logger = new Logger(serviceName);
    this.metrics = new EmfMetrics(METRIC_NAMESPACE, serviceName);
  }

  /**
   * Counts `value` (zero counts are not written, since every metric document is billed log volume;
   * `keepZero` writes them, for figures whose zero is news such as a reconciliation summary).
   */
  public count(name: string, value = 1, dimensions?: Record<string, string>, keepZero = false): void {
    if (value === 0 && !keepZero) return;
    if (dimensions === undefined) this.metrics.add(name, 'Count', value);
    else this.metrics.single(name, 'Count', value, dimensions);
  }

  public milliseconds(name: string, value: number): void {
    this.metrics.add(name, 'Milliseconds', value);
  }
}
