import { Duration, type Stack } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { describe, expect, it } from 'vitest';
import { acknowledge } from '../../../infra/config/nag.js';
import { Alarms } from '../../../infra/constructs/alarms.js';
import { SwitchboardDashboard } from '../../../infra/constructs/dashboard.js';
import { SwitchboardHttpApi } from '../../../infra/constructs/http-api.js';
import { ROUTES } from '../../../shared/app/routes.js';
import { isolated } from './isolated.js';

/** A stand-in function for the constructs that only need something to point at. */
const stub = (stack: Stack, id: string) => {
  const fn = new LambdaFunction(stack, id, {
    runtime: Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: Code.fromInline('export const handler = async () => ({});'),
    timeout: Duration.seconds(3),
    memorySize: 256,
    role: new Role(stack, `${id}Role`, { assumedBy: new ServicePrincipal('lambda.amazonaws.com') }),
  });
  for (const rule of [
    'AwsSolutions-L1',
    'Serverless-LambdaTracing',
    'Serverless-LambdaDLQ',
    'Serverless-LambdaLatestVersion',
  ])
    acknowledge(fn, rule, 'a test stand-in, not part of the construct under test');
  return fn;
};

describe('the observability and HTTP constructs, each on its own', () => {
  it('HttpApi: one route per table entry, IAM on /v1, the webhook and health check public', () => {
    const template = isolated((stack) => {
      const [webhook, api, actions, reconcile] = ['W', 'A', 'X', 'R'].map((id) => stub(stack, id));
      if (webhook && api && actions && reconcile)
        new SwitchboardHttpApi(stack, 'Http', { webhook, api, actions, reconcile });
    });
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route'));
    expect(routes).toHaveLength(ROUTES.routes.length);
    for (const route of routes) {
      const key = String(route.Properties.RouteKey);
      expect([key, route.Properties.AuthorizationType]).toEqual([
        key,
        key.includes(' /v1/') ? 'AWS_IAM' : 'NONE',
      ]);
    }
  });

  it('Alarms: every alarm to a topic CloudWatch may publish to; no SEARCH', () => {
    const template = isolated((stack, state, settings) => {
      const [webhook, reconcile, api] = ['W', 'R', 'A'].map((id) => stub(stack, id));
      if (webhook && reconcile && api)
        new Alarms(stack, 'Monitoring', {
          settings,
          webhook,
          consumers: [api],
          domains: ['solutions', 'wabas', 'threads'],
          reconcile,
          sweep: StateMachine.fromStateMachineName(stack, 'Sweep', 'sweep'),
          httpFunctions: [{ fn: api, service: 'api' }],
          queues: Object.values(state.queues),
          events: { fn: api, failures: state.queue('solutions').dlq },
        });
    });
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBeGreaterThanOrEqual(12);
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toHaveLength(1);
    expect(JSON.stringify(alarms)).not.toContain('SEARCH(');
    expect(JSON.stringify(template.findResources('AWS::SNS::TopicPolicy'))).toContain(
      'cloudwatch.amazonaws.com',
    );
  });

  it('Dashboard: one, naming the stack', () => {
    const template = isolated((stack, state) => {
      const [webhook, reconcile, a, b, c, d] = ['W', 'R', 'A', 'B', 'C', 'D'].map((id) => stub(stack, id));
      if (!(webhook && reconcile && a && b && c && d)) return;
      const { httpApi, stage } = new SwitchboardHttpApi(stack, 'Http', {
        webhook,
        api: a,
        actions: b,
        reconcile: c,
      });
      new SwitchboardDashboard(stack, 'Dashboard', {
        reconcileRateMinutes: 15,
        webhook,
        consumers: [d],
        reconcile,
        httpApi,
        stage,
        queues: Object.values(state.queues),
      });
    });
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });
});
