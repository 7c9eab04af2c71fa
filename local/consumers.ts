import type { SQSEvent } from 'aws-lambda';
import { composeConsumer } from '../shared/app/roots/consumer.js';
import type { Env } from '../shared/platform/config/env.js';
import type { DomainModule, JobSender } from '../shared/platform/domain/domain.js';
import { Telemetry } from '../shared/platform/observability/telemetry.js';
import type { RegisterWrites } from '../shared/platform/store/ports.js';
import type { LocalQueue } from './in-process-queue.js';
import { type BatchHandler, LocalConsumer } from './local-consumer.js';

const CONSUMER_OPTIONS = { batchSize: 10, batchWindowMs: 5, concurrency: 2, timeoutMs: 30_000 };

export interface LocalConsumerDeps {
  env: Env;
  domains: readonly DomainModule[];
  /** Each domain's queue, by domain name. */
  queues: Readonly<Record<string, LocalQueue>>;
  /** Each domain's table, by domain name. */
  tables: Readonly<Record<string, RegisterWrites>>;
  /** The job queues (business-token jobs), by name; the actions function consumes them, as in AWS. */
  jobQueues: Readonly<Record<string, LocalQueue>>;
  actions: (event: SQSEvent, context: Parameters<BatchHandler>[1]) => Promise<unknown>;
}

/** Lambda's SQS event sources in process: each domain's consumer (its composition root) on its local queue. */
export const createLocalConsumers = (deps: LocalConsumerDeps): LocalConsumer[] => {
  const onError = (error: unknown) =>
    new Telemetry('local').logger.error('consumer invocation failed', { error: String(error) });
  const consumer = (queue: LocalQueue, name: string, handler: BatchHandler) =>
    new LocalConsumer(queue, handler, { ...CONSUMER_OPTIONS, functionName: name }, onError);
  const jobs: JobSender = {
    has: (queue) => Object.hasOwn(deps.jobQueues, queue),
    send: async (queue, body) => {
      const target = deps.jobQueues[queue];
      if (target === undefined) throw new Error(`no local job queue ${queue}`);
      target.send(body);
    },
  };
  const domainConsumers = deps.domains.map(({ manifest, consumer: spec }) => {
    const queue = deps.queues[manifest.name];
    const table = deps.tables[manifest.name];
    if (queue === undefined || table === undefined)
      throw new Error(`no local queue or table for ${manifest.name}`);
    const telemetry = new Telemetry(manifest.name);
    const handler = composeConsumer(manifest, spec, {
      table,
      deadLetters: queue.deadLetters(),
      jobs,
      env: deps.env,
      telemetry,
    });
    return consumer(queue, manifest.name, handler);
  });
  const jobConsumers = Object.values(deps.jobQueues).map((queue) => consumer(queue, 'actions', deps.actions));
  return [...domainConsumers, ...jobConsumers];
};
