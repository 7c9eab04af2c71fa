import { Duration } from 'aws-cdk-lib';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../../shared/platform/config/constants.js';
import { type DomainManifest, domainEnv } from '../../shared/platform/domain/domain.js';
import { acknowledge } from '../config/nag.js';
import type { StatefulResources } from './stateful.js';
import { SwitchboardFunction } from './switchboard-function.js';

/**
 * Domain events: each domain table's change stream (before and after each write) into one function that
 * diffs the read model and publishes what changed to the stack's EventBridge bus. A record whose events cannot
 * be published is retried (bisecting the batch to find it) and after 10 attempts its stream position goes to an
 * SQS DLQ; the function may only read the streams and put events on its bus.
 */
export class DomainEvents extends Construct {
  public readonly bus: EventBus;
  public readonly publisher: SwitchboardFunction;
  public readonly failures: Queue;

  public constructor(
    scope: Construct,
    id: string,
    state: StatefulResources,
    domains: readonly DomainManifest[],
  ) {
    super(scope, id);
    const tables = domains.map((domain) => ({ domain, table: state.table(domain.name) }));
    this.bus = new EventBus(this, 'Bus', { description: 'Switchboard domain events (source "switchboard")' });
    this.failures = new Queue(this, 'StreamFailures', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(
      this.failures,
      'AwsSolutions-SQS3',
      'This queue is itself the failure destination of the stream event sources: it holds the positions of records that could not be published.',
    );
    acknowledge(
      this.failures,
      'Serverless-SQSRedrivePolicy',
      'A failure destination has no consumer to fail: nothing is ever redriven from it to another queue.',
    );
    this.publisher = new SwitchboardFunction(this, 'Publisher', {
      name: 'events',
      invokedBy: 'stream',
      timeout: Duration.seconds(30),
      environment: {
        [ENV.eventBusName]: this.bus.eventBusName,
        ...Object.fromEntries(tables.map(({ domain, table }) => [domainEnv.table(domain), table.tableName])),
      },
    });
    this.bus.grantPutEventsTo(this.publisher);
    acknowledge(
      this.publisher.role ?? this.publisher,
      'AwsSolutions-IAM5[Resource::*]',
      'dynamodb:ListStreams, which the stream event sources need, takes no resource ARN; reading a stream is granted on the domain tables\u2019 streams only.',
    );
    for (const { table } of tables) {
      this.publisher.addEventSource(
        new DynamoEventSource(table, {
          startingPosition: StartingPosition.TRIM_HORIZON,
          batchSize: 100,
          maxBatchingWindow: Duration.seconds(0),
          bisectBatchOnError: true,
          retryAttempts: 10,
          reportBatchItemFailures: true,
          onFailure: new SqsDlq(this.failures),
        }),
      );
    }
  }
}
