import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { NODE_MAJOR, runtimeEnvironment, SOURCE_MAPS_LAZY_FROM_NODE } from '../../infra/config/bundling.js';
import { SwitchboardFunction } from '../../infra/constructs/switchboard-function.js';

type FunctionProperties = { Runtime: string; Environment: { Variables: Record<string, unknown> } };

/** One function as the construct every Switchboard function is made with defines it (not bundled). */
const oneFunction = (): FunctionProperties => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'One');
  new SwitchboardFunction(stack, 'Webhook', { name: 'webhook', invokedBy: 'api' });
  const [fn] = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
  return (fn as { Properties: FunctionProperties }).Properties;
};

/** docs/decisions/source-maps.md */
describe('source maps on the cold path', () => {
  it('a function asks Node for source maps exactly when its runtime reads them lazily', () => {
    const fn = oneFunction();
    expect(fn.Runtime).toBe(`nodejs${NODE_MAJOR}.x`);
    expect(NODE_MAJOR).toBeGreaterThanOrEqual(SOURCE_MAPS_LAZY_FROM_NODE);
    expect(fn.Environment.Variables).toMatchObject({ NODE_OPTIONS: '--enable-source-maps' });
  });

  it('a runtime that parses the map while the bundle loads (Node 20, 22) would get no --enable-source-maps', () => {
    expect(runtimeEnvironment(20)).toEqual({});
    expect(runtimeEnvironment(22)).toEqual({});
    expect(runtimeEnvironment(24)).toEqual({ NODE_OPTIONS: '--enable-source-maps' });
  });
});
