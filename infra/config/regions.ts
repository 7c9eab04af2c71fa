import { Aws, CfnRule, Fn, type Stack, Token } from 'aws-cdk-lib';

/**
 * The regions Switchboard deploys to: the `aws` partition regions where CloudFormation has every resource type
 * the stack uses. Checked against cfn-lint 1.51.0's per-region resource specifications (built from
 * CloudFormation's registry in each region) and AWS's "Amazon EventBridge Schemas endpoints and quotas" page
 * (https://docs.aws.amazon.com/general/latest/gr/eventbridgeschemas.html); `npm run rehearse` lints the
 * template for every one of them. Left out on purpose:
 * - no EventBridge schema registry (`AWS::EventSchemas::*`): ca-west-1, il-central-1, mx-central-1, ap-south-2,
 *   ap-southeast-4, ap-southeast-5, ap-southeast-7;
 * - neither the schema registry nor HTTP APIs (`AWS::ApiGatewayV2::*`): ap-east-2, ap-southeast-6;
 * - other partitions (China, GovCloud, ISO, European Sovereign Cloud): not rehearsed.
 */
export const SUPPORTED_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'af-south-1',
  'ap-east-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-south-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ca-central-1',
  'eu-central-1',
  'eu-central-2',
  'eu-north-1',
  'eu-south-1',
  'eu-south-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'me-central-1',
  'me-south-1',
  'sa-east-1',
] as const;

const REFUSAL =
  'Switchboard deploys only to regions with every service it uses (the EventBridge schema registry and HTTP APIs are missing in some); supported:';

/**
 * Synth refuses a region outside the list, naming the supported ones. A region-agnostic template (no region at
 * synth) carries the same rule for CloudFormation, which refuses the stack before creating anything.
 */
export const requireSupportedRegion = (stack: Stack): void => {
  const supported: readonly string[] = SUPPORTED_REGIONS;
  if (!Token.isUnresolved(stack.region)) {
    if (!supported.includes(stack.region))
      throw new Error(`Region ${stack.region}: ${REFUSAL} ${supported.join(', ')}`);
    return;
  }
  new CfnRule(stack, 'SupportedRegion', {
    assertions: [
      {
        assert: Fn.conditionContains([...supported], Aws.REGION),
        assertDescription: `${REFUSAL} ${supported.join(', ')}`,
      },
    ],
  });
};
