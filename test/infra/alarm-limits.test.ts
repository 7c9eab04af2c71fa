import { Duration, type Stack } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { describe, expect, it } from 'vitest';
import { acknowledge } from '../../infra/config/nag.js';
import { Alarms } from '../../infra/constructs/alarms.js';
import { isolated } from './constructs/isolated.js';

/**
 * CloudWatch's documented limits for an alarm on a metric math expression: "can reference a maximum of 10
 * metrics. This is a hard limit" (CloudWatch, "Limits that apply to alarms based on metric math expressions"),
 * and a PutMetricAlarm carries "up to 20 MetricDataQuery structures ... as many as 10 structures that contain a
 * MetricStat ... and as many as 10 structures that contain the Expression parameter" (PutMetricAlarm, Metrics).
 */
const LIMITS = { metricStats: 10, expressions: 10, queries: 20 };

interface Query {
  MetricStat?: unknown;
  Expression?: string;
}

const stub = (stack: Stack, id: string) => {
  const fn = new LambdaFunction(stack, id, {
    runtime: Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: Code.fromInline('export const handler = async () => ({});'),
    timeout: Duration.seconds(3),
    memorySize: 256,
    role: new Role(stack, `${id}Role`, { assumedBy: new ServicePrincipal('lambda.amazonaws.com') }),
  });
  for (const rule of ['AwsSolutions-L1', 'Serverless-LambdaTracing', 'Serverless-LambdaDLQ'])
    acknowledge(fn, rule, 'a test stand-in, not part of the construct under test');
  return fn;
};

/** The alarms with `functions` HTTP functions behind /v1 (today three). */
const alarmsWith = (functions: number) =>
  isolated((stack, state, settings) => {
    const [webhook, reconcile] = ['W', 'R'].map((id) => stub(stack, id));
    if (!(webhook && reconcile)) return;
    new Alarms(stack, 'Monitoring', {
      settings,
      webhook,
      consumers: [reconcile],
      domains: ['solutions', 'wabas', 'threads'],
      reconcile,
      sweep: StateMachine.fromStateMachineName(stack, 'Sweep', 'sweep'),
      httpFunctions: Array.from({ length: functions }, (_, index) => ({
        fn: stub(stack, `Http${index}`),
        service: `http${index}`,
      })),
      queues: Object.values(state.queues),
      events: { fn: webhook, failures: state.queue('solutions').dlq },
    });
  });

const usage = (functions: number) =>
  Object.entries(alarmsWith(functions).findResources('AWS::CloudWatch::Alarm')).map(([id, alarm]) => {
    const queries = (alarm.Properties.Metrics ?? []) as Query[];
    return {
      id,
      metricStats: queries.filter((query) => query.MetricStat !== undefined).length,
      expressions: queries.filter((query) => query.Expression !== undefined).length,
      queries: queries.length,
    };
  });

describe('alarms under CloudWatch metric math limits', () => {
  it('stay within the limits however many functions serve /v1 (none grows with them)', () => {
    // Act: today's three functions, and four times as many
    const today = usage(3);
    const grown = usage(12);
    // Assess
    for (const alarm of [...today, ...grown]) {
      expect(alarm.metricStats, alarm.id).toBeLessThanOrEqual(LIMITS.metricStats);
      expect(alarm.expressions, alarm.id).toBeLessThanOrEqual(LIMITS.expressions);
      expect(alarm.queries, alarm.id).toBeLessThanOrEqual(LIMITS.queries);
    }
    const largest = (alarms: typeof today) => Math.max(...alarms.map((alarm) => alarm.metricStats));
    expect(largest(grown)).toBe(largest(today));
    // Headroom: the largest alarm leaves at least half the limit free.
    expect(largest(today)).toBeLessThanOrEqual(LIMITS.metricStats / 2);
  });
});
