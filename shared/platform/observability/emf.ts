/**
 * CloudWatch metrics in the embedded metric format (EMF): JSON documents on stdout that CloudWatch Logs turns
 * into metrics, without API calls. A few dozen lines instead of Powertools Metrics (about 13 KiB bundled),
 * because every function carries it on its cold start. Same documents: the namespace, the `service` dimension
 * on every metric, values of one name within an invocation in one array, and a document per call for metrics
 * with their own dimensions.
 */
export type MetricUnit = 'Count' | 'Milliseconds';

/** EMF takes at most 100 values per metric per document. */
const MAX_VALUES = 100;

export class EmfMetrics {
  private readonly stored = new Map<string, { unit: MetricUnit; values: number[] }>();
  /** As Powertools: `POWERTOOLS_METRICS_DISABLED=true` (tests, local mode in a terminal) writes nothing. */
  private readonly disabled = /^(true|1)$/i.test(process.env.POWERTOOLS_METRICS_DISABLED ?? '');

  public constructor(
    private readonly namespace: string,
    private readonly service: string,
    private readonly write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  ) {}

  public add(name: string, unit: MetricUnit, value: number): void {
    const entry = this.stored.get(name) ?? { unit, values: [] };
    entry.values.push(value);
    this.stored.set(name, entry);
    if (entry.values.length >= MAX_VALUES) this.publish();
  }

  /** A metric with its own dimensions (beside `service`), written at once in its own document. */
  public single(
    name: string,
    unit: MetricUnit,
    value: number,
    dimensions: Readonly<Record<string, string>>,
  ): void {
    this.document([{ name, unit, value }], dimensions);
  }

  public hasStored(): boolean {
    return this.stored.size > 0;
  }

  /** Writes what the invocation stored, in one document, and forgets it. */
  public publish(): void {
    const metrics = [...this.stored].map(([name, { unit, values }]) => ({
      name,
      unit,
      value: values.length === 1 ? (values[0] ?? 0) : values,
    }));
    this.stored.clear();
    if (metrics.length > 0) this.document(metrics, {});
  }

  private document(
    metrics: { name: string; unit: MetricUnit; value: number | number[] }[],
    dimensions: Readonly<Record<string, string>>,
  ): void {
    if (this.disabled) return;
    const names = ['service', ...Object.keys(dimensions)];
    this.write(
      JSON.stringify({
        _aws: {
          Timestamp: Date.now(),
          CloudWatchMetrics: [
            {
              Namespace: this.namespace,
              Dimensions: [names],
              Metrics: metrics.map(({ name, unit }) => ({ Name: name, Unit: unit })),
            },
          ],
        },
        service: this.service,
        ...dimensions,
        ...Object.fromEntries(metrics.map(({ name, value }) => [name, value])),
      }),
    );
  }
}
