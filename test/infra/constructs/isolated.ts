import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { applyNagChecks } from '../../../infra/config/nag.js';
import { readSettings, type SwitchboardSettings } from '../../../infra/config/settings.js';
import { createStatefulResources, type StatefulResources } from '../../../infra/constructs/stateful.js';
import { DOMAINS } from '../../../shared/domains/registry.js';

/** The reference's example IDs, as a user passes them with `-c`. */
export const EXAMPLE_CONTEXT = {
  'switchboard:metaAppId': '21202248997039',
  'switchboard:metaBusinessId': '506914307656634',
  'switchboard:metaPartnerBusinessIds': '116133292427920',
};

/**
 * One construct alone in a stack with the stateful resources, synthesized under both cdk-nag packs: it
 * throws if the construct does not carry its own acknowledgements. Functions are not bundled.
 */
export const isolated = (
  build: (stack: Stack, state: StatefulResources, settings: SwitchboardSettings) => void,
  context: Record<string, unknown> = {},
): Template => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...EXAMPLE_CONTEXT, ...context } });
  const stack = new Stack(app, 'Isolated');
  const settings = readSettings(stack.node);
  build(stack, createStatefulResources(stack, DOMAINS, settings), settings);
  applyNagChecks(app);
  app.synth();
  return Template.fromStack(stack);
};

export type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

/** Every action the template's IAM policies allow (the stateful archive stream's own role aside). */
export const allowedActions = (template: Template): string[] =>
  [
    ...new Set(
      Object.entries(template.findResources('AWS::IAM::Policy'))
        .filter(([id]) => !/^(DeliveryArchiveStream|PassthroughArchiveStream)/.test(id))
        .map(([, policy]) => policy)
        .flatMap((policy) =>
          (policy.Properties.PolicyDocument.Statement as Statement[]).flatMap((statement) =>
            Array.isArray(statement.Action) ? statement.Action : [statement.Action],
          ),
        ),
    ),
  ].sort();

/** Everything the webhook may do: queue, archive (large bodies to S3), read its secret, log. */
export const WEBHOOK_ACTIONS = [
  'firehose:PutRecord',
  'logs:CreateLogStream',
  'logs:PutLogEvents',
  's3:PutObject',
  'secretsmanager:DescribeSecret',
  'secretsmanager:GetSecretValue',
  'sqs:SendMessage',
];
