import type { Env } from '../../platform/config/env.js';
import { type ConsumerSpec, createConsumerHandler } from '../../platform/consumers/consumer.js';
import type { ConsumerPorts, DomainManifest, JobSender } from '../../platform/domain/domain.js';
import type { Telemetry } from '../../platform/observability/telemetry.js';
import type { DeadLetterSink } from '../../platform/queue/ports.js';
import type { RegisterWrites } from '../../platform/store/ports.js';

export interface ConsumerFunctionPorts {
  table: RegisterWrites;
  /** The domain queue's DLQ, where an invalid event goes at once with its reason. */
  deadLetters: DeadLetterSink;
  jobs: JobSender;
  env: Env;
  telemetry: Telemetry;
}

/**
 * A domain's consumer function (`functions/<domain>/handler.ts`, and local mode's consumer of the domain's
 * queue): the domain's consumer spec behind the platform's batch handler.
 */
export const composeConsumer = <E>(
  _domain: DomainManifest,
  consumer: (ports: ConsumerPorts) => ConsumerSpec<E>,
  ports: ConsumerFunctionPorts,
) => createConsumerHandler(consumer(ports), { deadLetters: ports.deadLetters, telemetry: ports.telemetry });
