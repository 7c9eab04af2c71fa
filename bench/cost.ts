import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { FIXTURES } from '../fixtures/deliveries.js';
import { MemoryDeadLetters } from '../local/dead-letters.js';
import { localContext } from '../local/lambda-context.js';
import { splitDelivery } from '../shared/app/intake/split.js';
import { decodeSolutionChange } from '../shared/domains/solutions/decode.js';
import { applySolutionEvent } from '../shared/domains/solutions/solution.js';
import { threadsConsumer } from '../shared/domains/threads/consumer.js';
import { decodeHandover } from '../shared/domains/threads/decode.js';
import { applyThreadEvent, type ThreadEvent } from '../shared/domains/threads/thread.js';
import { decodeWabaChange } from '../shared/domains/wabas/decode.js';
import { applyWabaEvent } from '../shared/domains/wabas/waba.js';
import { createConsumerHandler } from '../shared/platform/consumers/consumer.js';
import { Telemetry } from '../shared/platform/observability/telemetry.js';
import { RegisterTable } from '../shared/platform/store/register-table.js';
import { eventsAndArchive } from './cost-events.js';
import { ASSUMPTIONS, PRICES } from './cost-inputs.js';
import { createFloorConsumer } from './floors/consumer.js';
import { pairedCpuPerRecord, sqsRecord } from './per-record.js';
import { round } from './stats.js';
import { stubHttpHandler } from './stub-http.js';
import { productionTelemetry } from './webhook-cpu.js';

export { ASSUMPTIONS, PRICES } from './cost-inputs.js';

const firstEnvelope = (name: string) => {
  const [envelope] = splitDelivery(FIXTURES[name]?.body ?? {}, {
    deliveryId: 'cost',
    receivedAt: Date.now(),
  });
  if (envelope === undefined) throw new Error(`fixture ${name} has no change`);
  return envelope;
};

/**
 * DynamoDB's item size as documented: attribute names and strings by UTF-8 length, numbers by about one
 * byte per two significant digits plus one, booleans and nulls one byte, lists and maps three bytes plus
 * one byte per element plus their contents (map keys included).
 */
const valueBytes = (value: unknown): number => {
  if (value === null || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number')
    return Math.ceil(String(Math.abs(value)).replace(/[.-]/g, '').replace(/^0+/, '').length / 2) + 1;
  if (Array.isArray(value)) return 3 + value.reduce((total: number, item) => total + 1 + valueBytes(item), 0);
  if (typeof value === 'object') {
    return (
      3 +
      Object.entries(value as Record<string, unknown>).reduce(
        (total, [key, item]) => total + 1 + Buffer.byteLength(key) + valueBytes(item),
        0,
      )
    );
  }
  return 0;
};

export const itemBytes = (item: Record<string, unknown> | undefined) =>
  item === undefined
    ? 0
    : Object.entries(item).reduce(
        (total, [name, value]) => total + Buffer.byteLength(name) + valueBytes(value),
        0,
      );

/** Typical item sizes after the reference's events, which set the write units each event costs. */
export const measureItemSizes = () => {
  const added = decodeWabaChange(firstEnvelope('partner-added'));
  const removed = decodeWabaChange(firstEnvelope('partner-removed'));
  const waba = applyWabaEvent(applyWabaEvent(undefined, added).item, removed).item;
  const created = decodeSolutionChange(firstEnvelope('solution-created'));
  const active = decodeSolutionChange(firstEnvelope('solution-active'));
  const solution = applySolutionEvent(applySolutionEvent(undefined, created).item, active).item;
  let thread: Record<string, unknown> | undefined;
  for (const name of [
    'take-thread-control',
    'request-thread-control',
    'pass-metadata',
    'pass-thread-control',
  ]) {
    thread = applyThreadEvent(thread, decodeHandover(firstEnvelope(name)) as ThreadEvent).item;
  }
  return { wabaBytes: itemBytes(waba), solutionBytes: itemBytes(solution), threadBytes: itemBytes(thread) };
};

/** A DynamoDB client whose HTTP handler answers every UpdateItem with success, locally. */
export const stubbedDynamo = () =>
  new DynamoDBClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    requestHandler: stubHttpHandler(() => '{}'),
  });

/** CPU per record and log bytes per batch of a consumer (and of the floor consumer), DynamoDB stubbed. */
export const measureConsumerCpu = async (batchSize: number, batches: number) => {
  const restore = productionTelemetry();
  const telemetry = new Telemetry('threads');
  const ours = createConsumerHandler(
    threadsConsumer({
      table: new RegisterTable(stubbedDynamo(), 't'),
      telemetry,
      env: {},
      jobs: { has: () => false, send: async () => undefined },
    }),
    { telemetry, deadLetters: new MemoryDeadLetters() },
  );
  const floor = createFloorConsumer(stubbedDynamo(), 't');
  const body = JSON.stringify(firstEnvelope('take-thread-control'));
  const event: SQSEvent = {
    Records: Array.from({ length: batchSize }, (_, index) => sqsRecord(body, index)),
  };
  const context = localContext('threads', 30_000);
  const cpu = await pairedCpuPerRecord(
    () => ours(event, context),
    () => floor(event),
    batchSize,
    batches,
  );
  restore();
  return cpu;
};

export interface CostInputs {
  webhookCpuMicros: { oneChange: number; tenChanges: number };
  floorWebhookCpuMicros: { oneChange: number; tenChanges: number };
  webhookLogBytesPerDelivery: number;
  consumer: Awaited<ReturnType<typeof measureConsumerCpu>>;
  itemSizes: ReturnType<typeof measureItemSizes>;
}

export interface CostScenario {
  name: string;
  changesPerDelivery: number;
  consumerBatch: number;
  perMillion: Record<string, number>;
  total: number;
  floorTotal: number;
  ratio: number;
  meetsGoal: boolean;
}

interface Workload {
  webhookCpuMicros: number;
  consumerCpuMicrosPerRecord: number;
  webhookLogBytes: number;
  consumerLogBytesPerBatch: number;
  writeUnitsPerEvent: number;
}

const writeUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));

/** Dollars per million events for one traffic shape and one workload. */
const priced = (perDelivery: number, batch: number, work: Workload): Record<string, number> => {
  const million = 1_000_000;
  const deliveries = million / perDelivery;
  const batches = million / batch;
  const webhookBilledMs = Math.ceil(
    work.webhookCpuMicros / 1000 + ASSUMPTIONS.sqsSendRoundTripMs * Math.ceil(perDelivery / 10),
  );
  const consumerBilledMs = Math.ceil(
    (work.consumerCpuMicrosPerRecord * batch) / 1000 + ASSUMPTIONS.dynamoWriteRoundTripMs,
  );
  const logBytes =
    deliveries * (work.webhookLogBytes + ASSUMPTIONS.accessLogBytesPerRequest) +
    batches * work.consumerLogBytesPerBatch;
  return {
    apiGateway: (deliveries / million) * PRICES.apiGatewayHttpPerMillion,
    lambdaRequests: ((deliveries + batches) / million) * PRICES.lambdaRequestsPerMillion,
    lambdaDuration:
      deliveries * (webhookBilledMs / 1000) * ASSUMPTIONS.webhookMemoryGb * PRICES.lambdaArmGbSecond +
      batches * (consumerBilledMs / 1000) * ASSUMPTIONS.consumerMemoryGb * PRICES.lambdaArmGbSecond,
    sqs: ((deliveries * Math.ceil(perDelivery / 10) + batches * 2) / million) * PRICES.sqsRequestsPerMillion,
    dynamoWrites: work.writeUnitsPerEvent * PRICES.dynamoWriteUnitsPerMillion,
    s3ClaimChecks:
      (million * ASSUMPTIONS.claimCheckShare * (PRICES.s3PutPerThousand + PRICES.s3GetPerThousand)) / 1000,
    logs: (logBytes / 1024 ** 3) * PRICES.logsIngestionPerGb,
    ...eventsAndArchive(deliveries),
  };
};

const sum = (parts: Record<string, number>) =>
  Object.values(parts).reduce((total, value) => total + value, 0);

/** An even mix of the three domains, every item at most 1 KB; a WABA's write also writes its solution index. */
const FLOOR_WRITE_UNITS_PER_EVENT = (2 + 1 + 1) / 3;

/**
 * Dollars per million events (one event = one change) under three traffic shapes, beside the floor: the same
 * architecture (API Gateway, Lambda, SQS, the tables and the WABA index, domain events, the archive) with the
 * floor handlers' measured CPU, items of one write unit and no application logs (API Gateway access logs
 * stay, they are required). The goal is a ratio to that floor: ≤ 1.10 in every shape.
 */
export const costModel = (inputs: CostInputs): CostScenario[] => {
  const { itemSizes } = inputs;
  // An even mix of the three domains; a WABA add also writes the bySolution index.
  const writeUnitsPerEvent =
    (writeUnits(itemSizes.wabaBytes) * 2 +
      writeUnits(itemSizes.solutionBytes) +
      writeUnits(itemSizes.threadBytes)) /
    3;
  return [
    { name: '1 change per delivery, consumer batches of 1 (quiet)', changesPerDelivery: 1, consumerBatch: 1 },
    {
      name: '1 change per delivery, consumer batches of 10 (busy)',
      changesPerDelivery: 1,
      consumerBatch: 10,
    },
    {
      name: '10 changes per delivery, consumer batches of 10 (Meta batching)',
      changesPerDelivery: 10,
      consumerBatch: 10,
    },
  ].map(({ name, changesPerDelivery, consumerBatch }) => {
    const one = changesPerDelivery === 1;
    const ours = priced(changesPerDelivery, consumerBatch, {
      webhookCpuMicros: one ? inputs.webhookCpuMicros.oneChange : inputs.webhookCpuMicros.tenChanges,
      consumerCpuMicrosPerRecord: inputs.consumer.cpuMicrosPerRecord,
      webhookLogBytes: inputs.webhookLogBytesPerDelivery,
      consumerLogBytesPerBatch: inputs.consumer.logBytesPerBatch,
      writeUnitsPerEvent,
    });
    const floor = priced(changesPerDelivery, consumerBatch, {
      webhookCpuMicros: one
        ? inputs.floorWebhookCpuMicros.oneChange
        : inputs.floorWebhookCpuMicros.tenChanges,
      consumerCpuMicrosPerRecord: inputs.consumer.floorCpuMicrosPerRecord,
      webhookLogBytes: 0,
      consumerLogBytesPerBatch: 0,
      // The same architecture: the same writes (a WABA's index too), each as small as a write can be.
      writeUnitsPerEvent: FLOOR_WRITE_UNITS_PER_EVENT,
    });
    const total = round(sum(ours), 2);
    const floorTotal = round(sum(floor), 2);
    return {
      name,
      changesPerDelivery,
      consumerBatch,
      perMillion: Object.fromEntries(Object.entries(ours).map(([key, value]) => [key, round(value, 3)])),
      total,
      floorTotal,
      ratio: round(total / floorTotal),
      meetsGoal: total / floorTotal <= ASSUMPTIONS.goalRatioToFloor,
    };
  });
};
