export const sorted = (values: readonly number[]) => [...values].sort((a, b) => a - b);

export const percentile = (values: readonly number[], p: number): number => {
  const ordered = sorted(values);
  if (ordered.length === 0) return Number.NaN;
  const index = Math.min(ordered.length - 1, Math.max(0, Math.ceil((p / 100) * ordered.length) - 1));
  return ordered[index] ?? Number.NaN;
};

export const median = (values: readonly number[]) => percentile(values, 50);

/** Median with the interquartile spread, the form every timing is reported in. */
export const summary = (values: readonly number[]) => ({
  median: median(values),
  p25: percentile(values, 25),
  p75: percentile(values, 75),
  n: values.length,
});

export const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

/** CPU time per call (µs, user + system) of `once` run `iterations` times in a row. */
export const cpuMicros = async (iterations: number, once: (index: number) => Promise<unknown>) => {
  const start = process.cpuUsage();
  for (let index = 0; index < iterations; index++) await once(index);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / iterations;
};
