import type { LocalEventBus } from './event-bus.js';
import type { LocalQueue, LocalQueues } from './in-process-queue.js';
import type { LocalConsumer } from './local-consumer.js';

/** Stops everything in the order that loses nothing: no new requests, consumers done, then the stores. */
export const closeAll = async (parts: {
  http: { close(): Promise<void> };
  consumers: LocalConsumer[];
  relay: { close(): Promise<void> };
  sandbox: { close(): Promise<void> } | undefined;
  dynamo: { close(): Promise<void> };
  queues: LocalQueues;
  jobQueues: Readonly<Record<string, LocalQueue>>;
  events: LocalEventBus;
}): Promise<void> => {
  await parts.http.close();
  await Promise.all(parts.consumers.map((each) => each.stop()));
  await parts.relay.close();
  await parts.sandbox?.close();
  await parts.dynamo.close();
  parts.queues.close();
  for (const queue of Object.values(parts.jobQueues)) {
    queue.close();
    queue.dlq?.close();
  }
  parts.events.close();
};

/** Resolves once no batch is in flight and the queues hold nothing visible or in flight. */
export const drainQueues = async (consumers: LocalConsumer[], queues: LocalQueue[], timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await Promise.all(consumers.map((consumer) => consumer.idle()));
    const busy = queues.some((queue) => {
      const { visible, inFlight } = queue.size();
      return visible + inFlight > 0;
    });
    if (!busy) return;
    if (Date.now() > deadline) throw new Error('local queues did not drain in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};
