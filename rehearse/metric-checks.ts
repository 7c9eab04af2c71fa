import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Deployment } from './deployment.js';
import type { Check } from './scenario.js';
import { functionsOf, list, resolveValue, resourcesOfType, type Template } from './template.js';

interface MetricUse {
  where: string;
  name: string;
  dimensions: string[];
  service: string | undefined;
}

/** Switchboard-namespace metrics named by alarms and the dashboard. */
const metricsUsed = (
  template: Template,
  namespace: string,
  resolve: (value: unknown) => string,
): MetricUse[] => {
  const uses: MetricUse[] = [];
  const add = (where: string, name: string, dims: { Name: string; Value: unknown }[]) =>
    uses.push({
      where,
      name,
      dimensions: dims.map((d) => d.Name).sort(),
      service: dims.find((d) => d.Name === 'service')?.Value as string | undefined,
    });
  for (const [id, alarm] of resourcesOfType(template, 'AWS::CloudWatch::Alarm')) {
    const p = alarm.Properties ?? {};
    if (p.Namespace === namespace)
      add(id, String(p.MetricName), list(p.Dimensions as { Name: string; Value: unknown }[]));
    for (const query of list(
      p.Metrics as {
        MetricStat?: {
          Metric: { Namespace: string; MetricName: string; Dimensions?: { Name: string; Value: unknown }[] };
        };
      }[],
    )) {
      const metric = query.MetricStat?.Metric;
      if (metric?.Namespace === namespace) add(id, metric.MetricName, list(metric.Dimensions));
    }
  }
  for (const [id, dashboard] of resourcesOfType(template, 'AWS::CloudWatch::Dashboard')) {
    const body = resolve(dashboard.Properties?.DashboardBody);
    for (const match of body.matchAll(/\["Switchboard","([A-Za-z]+)"((?:,"[^"]*","[^"]*")*)/g)) {
      const pairs = [...(match[2] ?? '').matchAll(/,"([^"]*)","([^"]*)"/g)].map((pair) => ({
        Name: pair[1] ?? '',
        Value: pair[2],
      }));
      add(id, match[1] ?? '', pairs);
    }
    for (const match of body.matchAll(/SEARCH\('\{Switchboard,([^}]*)\} MetricName=\\"([A-Za-z]+)\\"/g)) {
      uses.push({
        where: id,
        name: match[2] ?? '',
        dimensions: (match[1] ?? '').split(',').sort(),
        service: undefined,
      });
    }
  }
  return uses;
};

/** EMF documents a function printed: metric name → dimension sets. */
const emitted = (logs: string[]): Map<string, string[][]> => {
  const metrics = new Map<string, string[][]>();
  for (const line of logs) {
    if (!line.includes('"_aws"')) continue;
    try {
      const document = JSON.parse(line) as {
        _aws?: { CloudWatchMetrics?: { Dimensions: string[][]; Metrics: { Name: string }[] }[] };
      };
      for (const directive of document._aws?.CloudWatchMetrics ?? [])
        for (const metric of directive.Metrics)
          metrics.set(metric.Name, [
            ...(metrics.get(metric.Name) ?? []),
            ...directive.Dimensions.map((set) => [...set].sort()),
          ]);
    } catch {
      // not a metric document
    }
  }
  return metrics;
};

/**
 * (b) Every alarm and dashboard metric is one the code emits: the name and dimension names are in the
 * bundle of the function whose service it names, and where the rehearsal saw it emitted, with exactly those
 * dimensions.
 */
export const checkMetrics = (deployment: Deployment, cdkOut: string): Check[] => {
  const { template, containers, names } = deployment;
  const resolve = (value: unknown) =>
    resolveValue(template, value, {
      ...names,
      resolve: (id, attribute, type) => names.resolve(id, attribute, type) ?? id,
    });
  const functions = functionsOf(template);
  return metricsUsed(template, 'Switchboard', resolve).map((use) => {
    const candidates = functions.filter((fn) => use.service === undefined || fn.service === use.service);
    const inCode = candidates.filter((fn) => {
      const code = readFileSync(join(cdkOut, fn.assetPath, 'index.mjs'), 'utf8');
      return (
        code.includes(`"${use.name}"`) &&
        use.dimensions.every((d) => d === 'service' || code.includes(`${d}:`) || code.includes(`"${d}"`))
      );
    });
    const seen = candidates.flatMap(
      (fn) => emitted(containers.get(fn.logicalId)?.logs ?? []).get(use.name) ?? [],
    );
    const shapeOk = seen.length === 0 || seen.some((set) => set.join() === use.dimensions.join());
    return {
      name: `${use.where}: metric ${use.name} [${use.dimensions.join(', ')}] is emitted by ${use.service ?? 'some function'}`,
      ok: inCode.length > 0 && shapeOk,
      detail: `${inCode.length > 0 ? 'in code' : 'NOT in any matching bundle'}; ${seen.length > 0 ? `seen with ${JSON.stringify(seen[0])}` : 'not emitted in this rehearsal'}`,
    };
  });
};
