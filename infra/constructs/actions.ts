import { ArnFormat, Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { solutionsManifest } from '../../shared/domains/solutions/manifest.js';
import { THREAD_ENV, threadsManifest } from '../../shared/domains/threads/manifest.js';
import {
  BUSINESS_TOKEN_JOBS,
  businessTokenSecretPrefix,
  WABA_ENV,
  wabasManifest,
} from '../../shared/domains/wabas/manifest.js';
import { whatsappThreadsManifest } from '../../shared/domains/whatsapp-threads/manifest.js';
import { ENV } from '../../shared/platform/config/constants.js';
import { domainEnv } from '../../shared/platform/domain/domain.js';
import { acknowledge, nagEnvironment } from '../config/nag.js';
import {
  identityEnvironment,
  onboardingEnvironment,
  retentionEnvironment,
  type SwitchboardSettings,
} from '../config/settings.js';
import { CONSUMER_TIMEOUT, type StatefulResources } from './stateful.js';
import { SwitchboardFunction } from './switchboard-function.js';

/**
 * The actions function: calls to Meta recorded in state, thread reads (which may ask Meta), and the onboarding
 * jobs (business token first). The only reader of page tokens and the only writer of business-token secrets,
 * which it also deletes (with Secrets Manager's recovery window) after an offboarding, and restores.
 */
export class Actions extends Construct {
  public readonly actions: SwitchboardFunction;

  public constructor(scope: Construct, id: string, state: StatefulResources, settings: SwitchboardSettings) {
    super(scope, id);
    const { metaSecret, pageTokensSecret } = state;
    const stack = Stack.of(this);
    const businessTokenPrefix = businessTokenSecretPrefix(stack.stackName);
    const jobs = state.queue(BUSINESS_TOKEN_JOBS.name);
    const table = (domain: { name: string }) => state.table(domain.name);
    this.actions = new SwitchboardFunction(this, 'Actions', {
      name: 'actions',
      invokedBy: 'api+queue',
      timeout: CONSUMER_TIMEOUT,
      environment: {
        ...identityEnvironment(settings),
        [WABA_ENV.businessTokenSecretPrefix]: businessTokenPrefix,
        [ENV.stackName]: stack.stackName,
        ...retentionEnvironment(settings),
        ...(settings.instagramPages === '' ? {} : { [THREAD_ENV.instagramPages]: settings.instagramPages }),
        ...(settings.businessTokenKmsKeyArn === ''
          ? {}
          : { [WABA_ENV.businessTokenKmsKeyId]: settings.businessTokenKmsKeyArn }),
        ...onboardingEnvironment(settings),
      },
    })
      .bindTable(table(solutionsManifest), 'RW', domainEnv.table(solutionsManifest))
      // Onboarding reads the WABA's item (its register, the business's other WABAs) and writes its register.
      .bindTable(table(wabasManifest), 'RW', domainEnv.table(wabasManifest))
      .bindTable(table(threadsManifest), 'RW', domainEnv.table(threadsManifest))
      .bindTable(table(whatsappThreadsManifest), 'RW', domainEnv.table(whatsappThreadsManifest))
      .bindTable(state.table('control'), 'RW', ENV.controlTable)
      .bindSecretRead(metaSecret, ENV.metaSecretArn)
      .bindSecretRead(pageTokensSecret, THREAD_ENV.pageTokensSecretArn)
      .bindQueueSend(jobs.dlq, ENV.deadLetterQueueUrl)
      .consume(jobs.queue, { batchSize: 5, maxConcurrency: 2 });
    this.grantBusinessTokenSecrets(businessTokenPrefix, settings);
  }

  /** One secret per customer business, created at run time under the stack's prefix (tagged on creation). */
  private grantBusinessTokenSecrets(prefix: string, settings: SwitchboardSettings): void {
    const stack = Stack.of(this);
    const secrets = stack.formatArn({
      service: 'secretsmanager',
      resource: 'secret',
      resourceName: `${prefix}*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.actions.addToRolePolicy(
      new PolicyStatement({
        // TagResource: CreateSecret with tags needs it. Onboarding reads a token to call Meta with it, and after
        // an offboarding schedules its deletion (DeleteSecret with a recovery window; DescribeSecret reads the date
        // of one already scheduled), which a newer onboarding undoes (RestoreSecret).
        actions: [
          'secretsmanager:CreateSecret',
          'secretsmanager:PutSecretValue',
          'secretsmanager:TagResource',
          'secretsmanager:GetSecretValue',
          'secretsmanager:DescribeSecret',
          'secretsmanager:DeleteSecret',
          'secretsmanager:RestoreSecret',
        ],
        resources: [secrets],
      }),
    );
    if (settings.businessTokenKmsKeyArn !== '') {
      // Secrets Manager encrypts a new version with the caller's rights on a customer managed key.
      this.actions.addToRolePolicy(
        new PolicyStatement({
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [settings.businessTokenKmsKeyArn],
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.amazonaws.com` } },
        }),
      );
    }
    const { account, region } = nagEnvironment(this);
    acknowledge(
      this.actions.role ?? this.actions,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:${region}:${account}:secret:${prefix}*]`,
      'One secret per customer business, created when the customer onboards: names are known only by their prefix, which this stack owns.',
    );
  }
}
