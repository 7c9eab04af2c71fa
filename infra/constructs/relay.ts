import { CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import {
  RELAY_CLAIM_PREFIX,
  RELAY_ENV,
  type RelayDestination,
  relayQueueUrlEnv,
  relayTitle,
} from '../../shared/app/relay/destinations.js';
import { ARCHIVE_PREFIX, ENV } from '../../shared/platform/config/constants.js';
import { acknowledge, arnToken } from '../config/nag.js';
import { DomainQueue } from './domain-queue.js';
import type { StatefulResources } from './stateful.js';
import { SwitchboardFunction } from './switchboard-function.js';

/** Records a deliverer takes per invocation; it sends them one at a time. */
export const RELAY_BATCH_SIZE = 10;

/** One destination's resources: its queue and DLQ, its deliverer, and its secret when it signs with its own. */
export interface RelayLane {
  destination: RelayDestination;
  title: string;
  queue: DomainQueue;
  deliverer: SwitchboardFunction;
  secret: Secret | undefined;
}

/** The deliverer's timeout: a whole batch sent one by one, each within its timeout, plus a margin. */
export const delivererTimeout = (destination: RelayDestination): Duration =>
  Duration.seconds(Math.min(900, RELAY_BATCH_SIZE * destination.timeoutSeconds + 10));

/**
 * The relay (docs/relay.md): for each destination of `switchboard:relay`, its own queue and DLQ, its own
 * deliverer (`functions/relay/handler.ts`) whose event source caps its concurrency, and, for `own` signing, its
 * own secret; the webhook may send to every destination queue; one replay function
 * (`functions/relay-replay/handler.ts`) puts archived deliveries back on a destination's queue. A slow or
 * failing destination holds only its own queue and its own deliverer's bounded concurrency.
 */
export class Relay extends Construct {
  public readonly lanes: RelayLane[];
  public readonly replay: SwitchboardFunction;

  public constructor(
    scope: Construct,
    id: string,
    props: {
      state: StatefulResources;
      destinations: readonly RelayDestination[];
      webhook: SwitchboardFunction;
    },
  ) {
    super(scope, id);
    const { state, destinations, webhook } = props;
    this.lanes = destinations.map((destination) => this.lane(destination, state));
    if (this.lanes.length > 0) webhook.addEnvironment(RELAY_ENV.destinations, JSON.stringify(destinations));
    for (const { destination, queue } of this.lanes)
      webhook.bindQueueSend(queue.queue, relayQueueUrlEnv(destination.name));
    this.replay = this.replayFunction(state, destinations);
    this.outputs();
  }

  private lane(destination: RelayDestination, state: StatefulResources): RelayLane {
    const title = relayTitle(destination.name);
    const timeout = delivererTimeout(destination);
    const stem = title.replace(/^Relay/, '');
    const queue = new DomainQueue(this, `${stem}Queue`, {
      visibilityTimeout: Duration.seconds(Math.min(43_200, timeout.toSeconds() * 6)),
      // A backstop: the deliverer sends a copy out of attempts to the DLQ itself, with its reason.
      maxReceiveCount: destination.maxAttempts + 2,
    });
    const deliverer = new SwitchboardFunction(this, `${stem}Deliverer`, {
      name: 'relay',
      invokedBy: 'queue',
      timeout,
      environment: {
        [RELAY_ENV.destination]: JSON.stringify(destination),
        [RELAY_ENV.queueUrl]: queue.queue.queueUrl,
      },
    })
      .bindQueueSend(queue.dlq, ENV.deadLetterQueueUrl)
      .bindClaimChecks(state.claimChecks, 'GET', ENV.claimCheckBucket, RELAY_CLAIM_PREFIX)
      // The event source's grant includes ChangeMessageVisibility: a retry waits as the message's visibility.
      .consume(queue.queue, {
        batchSize: RELAY_BATCH_SIZE,
        maxBatchingWindow: Duration.seconds(0),
        maxConcurrency: destination.concurrency,
      });
    acknowledge(
      deliverer.role ?? deliverer,
      `AwsSolutions-IAM5[Resource::${arnToken(state.claimChecks)}/${RELAY_CLAIM_PREFIX}*]`,
      'A relayed body too large for SQS is one claim-check object per delivery, named by its hash: GetObject under claims/relay/ only.',
    );
    let secret: Secret | undefined;
    if (destination.signing === 'own') {
      secret = new Secret(this, `${stem}Secret`, {
        removalPolicy: RemovalPolicy.RETAIN,
        description: `Switchboard relay: the secret that signs what ${destination.name} receives (X-Hub-Signature-256)`,
        generateSecretString: { excludePunctuation: true, passwordLength: 48 },
      });
      acknowledge(
        secret,
        'AwsSolutions-SMG4',
        'Shared with the destination, which verifies with it: rotated with put-secret-value and the destination together (docs/relay.md), not by a Lambda.',
      );
      deliverer.bindSecretRead(secret, RELAY_ENV.secretArn);
    }
    return { destination, title, queue, deliverer, secret };
  }

  /** `POST /v1/relay/{name}/replay`: reads the archive, queues copies (claim checks too), signs `meta` copies. */
  private replayFunction(state: StatefulResources, destinations: readonly RelayDestination[]) {
    const { archive, claimChecks, metaSecret } = state;
    const fn = new SwitchboardFunction(this, 'Replay', {
      name: 'relay-replay',
      invokedBy: 'api',
      timeout: Duration.seconds(29),
      memorySize: 512,
      environment:
        destinations.length === 0 ? {} : { [RELAY_ENV.destinations]: JSON.stringify(destinations) },
    })
      .bindSecretRead(metaSecret, ENV.metaSecretArn)
      .bindClaimChecks(claimChecks, 'PUT', ENV.claimCheckBucket, RELAY_CLAIM_PREFIX)
      .bindClaimChecks(archive, 'GET', ENV.archiveBucket, '');
    for (const { destination, queue } of this.lanes)
      fn.bindQueueSend(queue.queue, relayQueueUrlEnv(destination.name));
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [archive.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${ARCHIVE_PREFIX}*`] } },
      }),
    );
    acknowledge(
      fn.role ?? fn,
      `AwsSolutions-IAM5[Resource::${arnToken(archive)}/*]`,
      'A relay replay reads archived objects (deliveries/ and large/) by the keys it lists; it can write nothing there.',
    );
    acknowledge(
      fn.role ?? fn,
      `AwsSolutions-IAM5[Resource::${arnToken(claimChecks)}/${RELAY_CLAIM_PREFIX}*]`,
      'A replayed body too large for SQS becomes a claim check, as in the webhook: PutObject under claims/relay/ only.',
    );
    return fn;
  }

  /** `Relay<Title>QueueUrl`, `...DlqUrl` (what `npm run redrive -- relay:<name>` reads) and `...SecretArn`. */
  private outputs(): void {
    const stack = Stack.of(this);
    for (const { title, queue, secret, destination } of this.lanes) {
      new CfnOutput(stack, `${title}QueueUrl`, { value: queue.queue.queueUrl });
      new CfnOutput(stack, `${title}DlqUrl`, { value: queue.dlq.queueUrl });
      if (secret !== undefined)
        new CfnOutput(stack, `${title}SecretArn`, {
          value: secret.secretArn,
          description: `The secret ${destination.name} verifies X-Hub-Signature-256 with`,
        });
    }
  }
}
