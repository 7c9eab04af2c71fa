import type { SQSEvent } from 'aws-lambda';
import { solutionsConsumer, threadsConsumer, wabasConsumer } from '../shared/domains/consumer-specs.js';
import type { SolutionRepository, ThreadRepository, WabaRepository } from '../shared/domains/repositories.js';
import { businessTokenFollowUp } from '../shared/domains/wabas/business-tokens.js';
import { type Env, EnvReader, type MetaIdentity } from '../shared/platform/config.js';
import { ENV } from '../shared/platform/constants.js';
import { type ConsumerSpec, createConsumerHandler } from '../shared/platform/consumers/consumer.js';
import { Telemetry } from '../shared/platform/observability/telemetry.js';
import type { LocalQueue, LocalQueues } from './in-process-queue.js';
import { type BatchHandler, LocalConsumer } from './local-consumer.js';

const CONSUMER_OPTIONS = { batchSize: 10, batchWindowMs: 5, concurrency: 2, timeoutMs: 30_000 };

export interface LocalConsumerDeps {
  env: Env;
  identity: MetaIdentity;
  queues: LocalQueues;
  businessTokenQueue: LocalQueue;
  repositories: { solutions: SolutionRepository; wabas: WabaRepository; threads: ThreadRepository };
  /** The actions function, which consumes business-token jobs as in AWS. */
  actions: (event: SQSEvent, context: Parameters<BatchHandler>[1]) => Promise<unknown>;
}

/** Lambda's SQS event sources in process: the same consumer handlers, on the local queues. */
export const createLocalConsumers = (deps: LocalConsumerDeps): LocalConsumer[] => {
  const { queues, repositories, businessTokenQueue } = deps;
  const onError = (error: unknown) =>
    new Telemetry('local').logger.error('consumer invocation failed', { error: String(error) });
  const consumer = (queue: LocalQueue, name: string, handler: BatchHandler) =>
    new LocalConsumer(queue, handler, { ...CONSUMER_OPTIONS, functionName: name }, onError);
  const domain = <E>(queue: LocalQueue, name: string, spec: (telemetry: Telemetry) => ConsumerSpec<E>) => {
    const telemetry = new Telemetry(name);
    const deadLetters = queue.deadLetters();
    return consumer(queue, name, createConsumerHandler(spec(telemetry), { telemetry, deadLetters }));
  };
  const tokensEnabled = new EnvReader(deps.env).boolean(ENV.businessTokensEnabled, false);
  const followUp = tokensEnabled
    ? businessTokenFollowUp(async (body) => {
        businessTokenQueue.send(body);
      }, deps.identity.businessId || undefined)
    : undefined;
  return [
    domain(queues.queues.solutions, 'solutions', (telemetry) =>
      solutionsConsumer(repositories.solutions, telemetry),
    ),
    domain(queues.queues.wabas, 'wabas', (telemetry) =>
      wabasConsumer(repositories.wabas, telemetry, followUp, deps.identity.appId),
    ),
    domain(queues.queues.threads, 'threads', () => threadsConsumer(repositories.threads)),
    consumer(businessTokenQueue, 'actions', deps.actions),
  ];
};
