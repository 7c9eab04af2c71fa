import { join } from 'node:path';
import { composeRelayCopies, type RelayCopies, type RelayQueuePorts } from '../shared/app/relay/copies.js';
import {
  parseRelayDestinations,
  RELAY_ENV,
  type RelayDestination,
  relayQueueName,
  relaySecretEnv,
  relayService,
} from '../shared/app/relay/destinations.js';
import { composeRelayDeliverer } from '../shared/app/relay/roots.js';
import type { Env } from '../shared/platform/config/env.js';
import { Telemetry } from '../shared/platform/observability/telemetry.js';
import type { ClaimStore, MessageSink } from '../shared/platform/queue/ports.js';
import { type LocalQueue, queueWithDlq } from './in-process-queue.js';
import { LocalConsumer } from './local-consumer.js';

export interface LocalRelayOptions {
  env: Env;
  /** Journals the destinations' queues under `<dataDir>/queues` (else in memory). */
  dataDir: string | undefined;
  claims: ClaimStore;
  now: () => number;
}

export interface LocalRelay {
  destinations: readonly RelayDestination[];
  /** Each destination's queue (and DLQ), by `relay:<name>`. */
  queues: Readonly<Record<string, LocalQueue>>;
  /** The webhook's copies (undefined without destinations). */
  copies: RelayCopies | undefined;
  /** The destinations and their queues, for `POST /v1/relay/{name}/replay` (the reconcile function's). */
  queuePorts: RelayQueuePorts;
  /** Each destination's deliverer on its queue (local mode starts them with the domain consumers). */
  consumers: LocalConsumer[];
  close(): Promise<void>;
}

/** A deliverer's invocation: a batch of 10 sent one by one, each within the destination's timeout (as in AWS). */
const delivererTimeoutMs = (destination: RelayDestination) => (destination.timeoutSeconds * 10 + 10) * 1000;

/** The secret of each `own` destination, from `RELAY_SECRET_<NAME>`: missing is a start-up error. */
const secretsOf = (env: Env, destinations: readonly RelayDestination[]) => {
  const missing = destinations
    .filter(({ signing, name }) => signing === 'own' && (env[relaySecretEnv(name)] ?? '') === '')
    .map(({ name }) => relaySecretEnv(name));
  if (missing.length > 0) throw new Error(`relay: set ${missing.join(', ')} (the own destinations' secrets)`);
  return (name: string) => {
    const secret = env[relaySecretEnv(name)] ?? '';
    return { get: async () => secret };
  };
};

/**
 * Local mode's relay, wired as in AWS: each destination of `RELAY_DESTINATIONS` has its own queue and DLQ
 * (SQS semantics, journaled with a data folder) and its own consumer running the deliverer, with the
 * destination's concurrency; the webhook queues copies beside the domain queues. Destinations may be plain HTTP
 * on loopback here (a receiver on 127.0.0.1), HTTPS anywhere.
 */
export const createLocalRelay = (options: LocalRelayOptions): LocalRelay => {
  const { env } = options;
  const destinations = parseRelayDestinations(env[RELAY_ENV.destinations], 'https-or-loopback-http');
  const secretOf = secretsOf(env, destinations);
  const journal = options.dataDir === undefined ? {} : { journalDir: join(options.dataDir, 'queues') };
  const queues: Record<string, LocalQueue> = {};
  for (const destination of destinations) {
    queues[relayQueueName(destination.name)] = queueWithDlq(relayQueueName(destination.name), {
      // Longer than a whole batch takes, so a copy being sent is never taken twice; a retry sets its own wait.
      visibilityTimeoutMs: delivererTimeoutMs(destination),
      // A backstop: the deliverer itself sends a copy out of attempts to the DLQ with its reason.
      maxReceiveCount: destination.maxAttempts + 2,
      now: options.now,
      ...journal,
    });
  }
  const queueOf = (name: string): LocalQueue => {
    const queue = Object.hasOwn(queues, name) ? queues[name] : undefined;
    if (queue === undefined) throw new Error(`no local relay queue ${name}`);
    return queue;
  };
  const sink: MessageSink = {
    sendBatch: async (name, entries) => {
      queueOf(name).sendMany(entries.map(({ body }) => ({ body })));
      return { failed: [] };
    },
  };
  const consumers = destinations.map((destination) => {
    const queue = queueOf(relayQueueName(destination.name));
    const handler = composeRelayDeliverer({
      destination,
      secret: destination.signing === 'own' ? secretOf(destination.name) : undefined,
      claims: options.claims,
      retries: { later: async (handle, seconds) => void queue.changeVisibility(handle, seconds * 1000) },
      deadLetters: queue.deadLetters(),
      telemetry: new Telemetry(relayService(destination.name)),
      now: options.now,
    });
    return new LocalConsumer(
      queue,
      handler,
      {
        batchSize: 10,
        batchWindowMs: 5,
        concurrency: destination.concurrency,
        functionName: relayService(destination.name),
        timeoutMs: delivererTimeoutMs(destination),
      },
      (error) => new Telemetry('local').logger.error('relay invocation failed', { error: String(error) }),
    );
  });
  return {
    destinations,
    queues,
    copies: composeRelayCopies({ destinations, sink, claims: options.claims }),
    queuePorts: { destinations, sink, claims: options.claims },
    consumers,
    close: async () => {
      await Promise.all(consumers.map((consumer) => consumer.stop()));
      for (const queue of Object.values(queues)) {
        queue.close();
        queue.dlq?.close();
      }
    },
  };
};
