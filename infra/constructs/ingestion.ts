import { Duration } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import {
  ARCHIVE_LARGE_PREFIX,
  CLAIM_PREFIX,
  ENV,
  PASSTHROUGH_ARCHIVE_LARGE_PREFIX,
} from '../../shared/platform/config/constants.js';
import type { DomainManifest } from '../../shared/platform/domain/domain.js';
import { acknowledge, arnToken } from '../config/nag.js';
import { bindDeliveryQueues } from './delivery-queues.js';
import type { StatefulResources } from './stateful.js';
import { SwitchboardFunction } from './switchboard-function.js';

/**
 * The webhook function: verify, split, queue. It may only send to the delivery queues (each domain's and
 * passthrough), put claim checks and read its secret.
 */
export class Ingestion extends Construct {
  public readonly webhook: SwitchboardFunction;

  public constructor(
    scope: Construct,
    id: string,
    state: StatefulResources,
    domains: readonly DomainManifest[],
  ) {
    super(scope, id);
    const { claimChecks, metaSecret, archive, archiveStream, passthroughStream } = state;
    this.webhook = new SwitchboardFunction(this, 'Webhook', {
      name: 'webhook',
      invokedBy: 'api',
      memorySize: 512,
      timeout: Duration.seconds(29),
    });
    bindDeliveryQueues(this.webhook, state, domains)
      .bindClaimChecks(claimChecks, 'PUT', ENV.claimCheckBucket, CLAIM_PREFIX)
      .bindSecretRead(metaSecret, ENV.metaSecretArn)
      // The archive: a Firehose record per delivery; a body too large for one goes to the bucket under large/.
      .bindClaimChecks(archive, 'PUT', ENV.archiveBucket, ARCHIVE_LARGE_PREFIX);
    this.webhook.addEnvironment(ENV.archiveStreamName, archiveStream.deliveryStreamName);
    // Passthrough-only deliveries: their own stream (and large bodies under passthrough/large/), or none.
    this.webhook.addEnvironment(
      ENV.archivePassthroughStreamName,
      passthroughStream?.deliveryStreamName ?? 'none',
    );
    if (passthroughStream !== undefined)
      this.webhook.bindClaimChecks(archive, 'PUT', ENV.archiveBucket, PASSTHROUGH_ARCHIVE_LARGE_PREFIX);
    this.webhook.addToRolePolicy(
      new PolicyStatement({
        actions: ['firehose:PutRecord'],
        resources: [archiveStream, passthroughStream].flatMap((each) =>
          each === undefined ? [] : [each.deliveryStreamArn],
        ),
      }),
    );
    for (const prefix of [ARCHIVE_LARGE_PREFIX, PASSTHROUGH_ARCHIVE_LARGE_PREFIX])
      acknowledge(
        this.webhook.role ?? this.webhook,
        `AwsSolutions-IAM5[Resource::${arnToken(archive)}/${prefix}*]`,
        'A delivery too large for one Firehose record is one object named by its hash under large/: PutObject there only.',
      );
    acknowledge(
      this.webhook.role ?? this.webhook,
      `AwsSolutions-IAM5[Resource::${arnToken(claimChecks)}/${CLAIM_PREFIX}*]`,
      'A claim check is one object per oversized change, named by its event ID: the keys are not known in advance. The grant is PutObject under the claims/ prefix only.',
    );
  }
}
