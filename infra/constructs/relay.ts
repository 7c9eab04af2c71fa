import { CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import {
  RELAY_CLAIM_PREFIX,
  RELAY_ENV,
  type RelayDestination,
  relayQueueUrlEnv,
  relayTitle,
} from '../../shared/app/relay/destinations.js';
import { ENV } from '../../shared/platform/config/constants.js';
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
 * own secret; the webhook (live copies) and the reconcile function (`POST /v1/relay/{name}/replay`) may send to
 * every destination queue. A slow or failing destination holds only its own queue and its own deliverer's
 * bounded concurrency.
 */
export class Relay extends Construct {
  public readonly lanes: RelayLane[];

  public constructor(
    scope: Construct,
    id: string,
    props: {
      state: StatefulResources;
      destinations: readonly RelayDestination[];
      /** Queues the live copies. */
      webhook: SwitchboardFunction;
      /** Serves `POST /v1/relay/{name}/replay` beside `POST /v1/replay` (it reads the archive and the Meta secret). */
      reconcile: SwitchboardFunction;
    },
  ) {
    super(scope, id);
    const { state, destinations } = props;
    this.lanes = destinations.map((destination) => this.lane(destination, state));
    // Both may send to every destination queue (replayed claim checks go under the claims/ prefix they may write).
    for (const fn of this.lanes.length === 0 ? [] : [props.webhook, props.reconcile]) {
      fn.addEnvironment(RELAY_ENV.destinations, JSON.stringify(destinations));
      for (const { destination, queue } of this.lanes)
        fn.bindQueueSend(queue.queue, relayQueueUrlEnv(destination.name));
    }
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
