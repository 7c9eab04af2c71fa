import { type App, type CfnElement, Stack, Token, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/** cdk-nag's AwsSolutions and Serverless packs run on every synth; an unacknowledged finding fails it. */
export const applyNagChecks = (app: App): void => {
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, { verbose: true }),
    new ServerlessChecks(app, { verbose: true }),
  );
};

/** Acknowledges one rule on one construct (and only its children), with the reason it does not apply. */
export const acknowledge = (scope: IConstruct, rule: string, reason: string): void => {
  Validations.of(scope).acknowledge({ id: rule, reason });
};

/** The `<LogicalId.Arn>` form cdk-nag uses in finding IDs for a resource's ARN. */
export const arnToken = (resource: IConstruct): string => {
  const cfn = (resource.node.defaultChild ?? resource) as CfnElement;
  return `<${Stack.of(resource).getLogicalId(cfn)}.Arn>`;
};

/**
 * The account and region as cdk-nag writes them in finding IDs: the pseudo parameter while the stack is
 * environment-agnostic, the concrete value once `cdk deploy` resolved an account (it sets
 * CDK_DEFAULT_ACCOUNT whenever credentials resolve), so acknowledgements hold in both cases.
 */
export const nagEnvironment = (scope: IConstruct): { account: string; region: string } => {
  const stack = Stack.of(scope);
  return {
    account: Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account,
    region: Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region,
  };
};
