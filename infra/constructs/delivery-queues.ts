import { type DomainManifest, domainEnv } from '../../shared/platform/domain/domain.js';
import { PASSTHROUGH } from '../../shared/platform/queue/envelope.js';
import type { StatefulResources } from './stateful.js';
import type { SwitchboardFunction } from './switchboard-function.js';

/**
 * The queues a delivery's changes go to (each domain's and passthrough): the webhook sends to them, and so does a
 * replay. Each is one URL variable and one `sqs:SendMessage` grant.
 */
export const bindDeliveryQueues = (
  fn: SwitchboardFunction,
  state: StatefulResources,
  domains: readonly DomainManifest[],
): SwitchboardFunction => {
  for (const queue of [...domains, { name: PASSTHROUGH }])
    fn.bindQueueSend(state.queue(queue.name).queue, domainEnv.queueUrl(queue));
  return fn;
};
