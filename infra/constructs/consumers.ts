import { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ENV } from '../../shared/platform/constants.js';
import type { SwitchboardSettings } from '../settings.js';
import { CONSUMER_TIMEOUT, type StatefulResources } from './stateful.js';
import { SwitchboardFunction } from './switchboard-function.js';

type Domain = 'solutions' | 'wabas' | 'threads';

const TABLE_VARIABLE: Record<Domain, string> = {
  solutions: ENV.solutionsTable,
  wabas: ENV.wabasTable,
  threads: ENV.threadsTable,
};

/**
 * The three domain consumers: each may only apply register writes to its own table (`UpdateItem`) and send an
 * invalid event to its own DLQ. Domain changes travel inline (SQS takes 1 MiB): no claim checks, no S3.
 */
export class Consumers extends Construct {
  public readonly functions: Record<Domain, SwitchboardFunction>;

  public constructor(scope: Construct, id: string, state: StatefulResources, settings: SwitchboardSettings) {
    super(scope, id);
    const { queues, tables } = state;
    const consumer = (constructId: string, name: Domain) => {
      const fn = new SwitchboardFunction(this, constructId, {
        name,
        invokedBy: 'queue',
        timeout: CONSUMER_TIMEOUT,
      })
        .bindTable(tables[name], 'W', TABLE_VARIABLE[name])
        .bindQueueSend(queues[name].dlq, ENV.deadLetterQueueUrl)
        .consume(queues[name].queue, {
          // Ten records per invocation and no batching window: under load the poller fills batches on
          // its own, and at low volume nothing waits, which keeps accepted → readable latency low.
          batchSize: 10,
          maxBatchingWindow: Duration.seconds(0),
          // Caps concurrent writers per table; a burst waits in the queue instead of throttling.
          maxConcurrency: 5,
        });
      return fn;
    };
    this.functions = {
      solutions: consumer('SolutionsConsumer', 'solutions'),
      wabas: consumer('WabasConsumer', 'wabas'),
      threads: consumer('ThreadsConsumer', 'threads'),
    };
    const wabas = this.functions.wabas;
    wabas.addEnvironment(ENV.businessTokensEnabled, String(settings.businessTokens));
    wabas.addEnvironment(ENV.metaBusinessId, settings.metaBusinessId);
    wabas.addEnvironment(ENV.metaAppId, settings.metaAppId);
    if (settings.businessTokens) wabas.bindQueueSend(queues.businessTokens.queue, ENV.businessTokensQueueUrl);
  }
}
