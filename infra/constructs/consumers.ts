import { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { WABA_ENV } from '../../shared/domains/wabas/manifest.js';
import { ENV } from '../../shared/platform/config/constants.js';
import { type DomainManifest, domainEnv } from '../../shared/platform/domain/domain.js';
import { retentionEnvironment, type SwitchboardSettings } from '../config/settings.js';
import { CONSUMER_TIMEOUT, type StatefulResources } from './stateful.js';
import { SwitchboardFunction } from './switchboard-function.js';

const enabled = (value: unknown): boolean => value === true || value === 'true';

/**
 * One consumer per domain (`functions/<domain>/handler.ts`): each may only apply register writes to its own
 * table (`UpdateItem`), send an invalid event to its own DLQ and send its domain's jobs. Domain changes travel
 * inline (SQS takes 1 MiB): no claim checks, no S3.
 */
export class Consumers extends Construct {
  /** Each domain's consumer, by domain name. */
  public readonly functions: Record<string, SwitchboardFunction> = {};

  public constructor(
    scope: Construct,
    id: string,
    props: { state: StatefulResources; settings: SwitchboardSettings; domains: readonly DomainManifest[] },
  ) {
    super(scope, id);
    const { state, settings } = props;
    for (const domain of props.domains) {
      const fn = new SwitchboardFunction(this, `${domain.title}Consumer`, {
        name: domain.name,
        ...(domain.consumerEntry === undefined ? {} : { entry: domain.consumerEntry }),
        invokedBy: 'queue',
        timeout: CONSUMER_TIMEOUT,
        environment: {
          // Our app and portfolio tell our events from others'; a domain reads its own settings.
          [ENV.metaAppId]: settings.metaAppId,
          [ENV.metaBusinessId]: settings.metaBusinessId,
          [WABA_ENV.businessTokensEnabled]: String(settings.businessTokens),
          // Items naming a person live `idleThreadDays` after their last write.
          ...retentionEnvironment(settings),
        },
      })
        .bindTable(state.table(domain.name), 'W', domainEnv.table(domain))
        .bindQueueSend(state.queue(domain.name).dlq, ENV.deadLetterQueueUrl)
        .consume(state.queue(domain.name).queue, {
          // Ten records per invocation and no batching window: under load the poller fills batches on
          // its own, and at low volume nothing waits, which keeps accepted → readable latency low.
          batchSize: 10,
          maxBatchingWindow: Duration.seconds(0),
          // Caps concurrent writers per table; a burst waits in the queue instead of throttling.
          maxConcurrency: 5,
        });
      for (const job of domain.jobs ?? [])
        if (job.enabledBy === undefined || enabled(this.node.tryGetContext(`switchboard:${job.enabledBy}`)))
          fn.bindQueueSend(state.queue(job.name).queue, domainEnv.queueUrl(job));
      this.functions[domain.name] = fn;
    }
  }
}
