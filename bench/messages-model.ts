import { ASSUMPTIONS, PRICES } from './cost-inputs.js';
import { round } from './stats.js';

/**
 * The messages-heavy shape (WhatsApp Conversation Routing, issue 26): dollars per million inbound user messages
 * when every `messages` change also reaches the WhatsApp threads queue (its ownership fields only) beside
 * passthrough, and each costs one conditional write. Meta batches: n messages per delivery, each its own change
 * of its own user (the worst case for us: one write per message; n messages of one user in one change are one
 * write). The floor is the same architecture: the same two queues per change, the same stream and events, the
 * same keys-only index writes, priced with the floor handlers' CPU, one write unit per message and no application
 * logs.
 */
export const MESSAGES_ASSUMPTIONS = {
  /** A new thread (its keys-only index entry, and an owner change event) per this many inbound messages. */
  messagesPerNewThread: 10,
  consumerBatch: 10,
  /** Batches of both queues go out in parallel (the publisher sends up to 8 at once). */
  publisherConcurrency: 8,
} as const;

export interface MessagesWork {
  /** Webhook CPU per delivery of n messages, ours and the floor's. */
  webhookCpuMicros: number;
  /** Consumer CPU per record. */
  consumerCpuMicrosPerRecord: number;
  webhookLogBytesPerDelivery: number;
  consumerLogBytesPerBatch: number;
  writeUnitsPerMessage: number;
}

const writeUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));

/** Dollars per million messages in deliveries of `perDelivery` messages. */
export const pricedMessages = (perDelivery: number, work: MessagesWork): Record<string, number> => {
  const million = 1_000_000;
  const deliveries = million / perDelivery;
  const batches = million / MESSAGES_ASSUMPTIONS.consumerBatch;
  const sendsPerDelivery = 2 * Math.ceil(perDelivery / 10);
  const roundTrips = Math.ceil(sendsPerDelivery / MESSAGES_ASSUMPTIONS.publisherConcurrency);
  const webhookBilledMs = Math.ceil(
    work.webhookCpuMicros / 1000 + ASSUMPTIONS.sqsSendRoundTripMs * roundTrips,
  );
  const consumerBilledMs = Math.ceil(
    (work.consumerCpuMicrosPerRecord * MESSAGES_ASSUMPTIONS.consumerBatch) / 1000 +
      ASSUMPTIONS.dynamoWriteRoundTripMs,
  );
  const newThreads = million / MESSAGES_ASSUMPTIONS.messagesPerNewThread;
  // Every applied write is a stream record; only an owner change (about one per new thread) is an event.
  const streamInvocations = million / ASSUMPTIONS.streamBatch;
  const eventsBilledMs = Math.ceil(ASSUMPTIONS.putEventsRoundTripMs * 1.5);
  const logBytes =
    deliveries * (work.webhookLogBytesPerDelivery + ASSUMPTIONS.accessLogBytesPerRequest) +
    batches * work.consumerLogBytesPerBatch;
  return {
    apiGateway: (deliveries / million) * PRICES.apiGatewayHttpPerMillion,
    lambdaRequests: ((deliveries + batches + streamInvocations) / million) * PRICES.lambdaRequestsPerMillion,
    lambdaDuration:
      PRICES.lambdaArmGbSecond *
      (deliveries * (webhookBilledMs / 1000) * ASSUMPTIONS.webhookMemoryGb +
        batches * (consumerBilledMs / 1000) * ASSUMPTIONS.consumerMemoryGb +
        streamInvocations * (eventsBilledMs / 1000) * ASSUMPTIONS.eventsMemoryGb),
    sqs: ((deliveries * sendsPerDelivery + batches * 2) / million) * PRICES.sqsRequestsPerMillion,
    dynamoWrites:
      ((million * work.writeUnitsPerMessage + newThreads) / million) * PRICES.dynamoWriteUnitsPerMillion,
    logs: (logBytes / 1024 ** 3) * PRICES.logsIngestionPerGb,
    domainEvents: (newThreads / million) * PRICES.eventBridgePutEventsPerMillion,
    archive:
      ((deliveries * ASSUMPTIONS.firehoseBilledBytesPerDelivery) / 1024 ** 3) * PRICES.firehosePerGb +
      ((deliveries / million) * ASSUMPTIONS.archivePutsPerMillionDeliveries * PRICES.s3PutPerThousand) / 1000,
  };
};

export interface MessagesInputs {
  /** Per shape (messages per delivery): webhook CPU and log bytes, ours and the floor's. */
  webhook: { messages: number; oursMicros: number; floorMicros: number; logBytes: number }[];
  consumer: { cpuMicrosPerRecord: number; floorCpuMicrosPerRecord: number; logBytesPerBatch: number };
  itemBytes: number;
}

export interface MessagesScenario {
  messagesPerDelivery: number;
  perMillion: Record<string, number>;
  total: number;
  floorTotal: number;
  ratio: number;
  meetsGoal: boolean;
}

const sum = (parts: Record<string, number>) =>
  Object.values(parts).reduce((total, value) => total + value, 0);

export const messagesCostModel = (inputs: MessagesInputs): MessagesScenario[] =>
  inputs.webhook.map(({ messages, oursMicros, floorMicros, logBytes }) => {
    const ours = pricedMessages(messages, {
      webhookCpuMicros: oursMicros,
      consumerCpuMicrosPerRecord: inputs.consumer.cpuMicrosPerRecord,
      webhookLogBytesPerDelivery: logBytes,
      consumerLogBytesPerBatch: inputs.consumer.logBytesPerBatch,
      writeUnitsPerMessage: writeUnits(inputs.itemBytes),
    });
    const floor = pricedMessages(messages, {
      webhookCpuMicros: floorMicros,
      consumerCpuMicrosPerRecord: inputs.consumer.floorCpuMicrosPerRecord,
      webhookLogBytesPerDelivery: 0,
      consumerLogBytesPerBatch: 0,
      writeUnitsPerMessage: 1,
    });
    const [total, floorTotal] = [sum(ours), sum(floor)];
    return {
      messagesPerDelivery: messages,
      perMillion: Object.fromEntries(Object.entries(ours).map(([key, value]) => [key, round(value, 3)])),
      total: round(total, 2),
      floorTotal: round(floorTotal, 2),
      ratio: round(total / floorTotal),
      meetsGoal: total / floorTotal <= ASSUMPTIONS.goalRatioToFloor,
    };
  });
