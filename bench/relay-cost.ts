import type { SQSEvent } from 'aws-lambda';
import { LocalClaimStore } from '../local/claim-store.js';
import { MemoryDeadLetters } from '../local/dead-letters.js';
import { localContext } from '../local/lambda-context.js';
import { relayDelivererHandler } from '../shared/app/relay/deliverer.js';
import { relayBody } from '../shared/app/relay/message.js';
import { signBody } from '../shared/platform/http/signature.js';
import { Telemetry } from '../shared/platform/observability/telemetry.js';
import { PRICES } from './cost-inputs.js';
import { createFloorRelay } from './floors/relay.js';
import { pairedCpuPerRecord, sqsRecord } from './per-record.js';
import { benchDestinations, messagesEvent, type RelayLatencyFigures } from './relay-latency.js';
import { round } from './stats.js';
import { productionTelemetry, SECRET } from './webhook-cpu.js';

/** Assumptions the relay's cost model states rather than measures (no AWS account here). */
export const RELAY_ASSUMPTIONS = {
  /** A destination's answer to a POST, from Lambda, connection kept alive: the same for ours and the floor. */
  destinationRoundTripMs: 50,
  delivererMemoryGb: 0.25,
  webhookMemoryGb: 0.5,
  /** Deliveries over SQS's 1 MiB, claim-checked (one PUT at the webhook, one GET per destination). */
  claimCheckShare: 0.001,
} as const;

const answered = async () => new Response(null, { status: 200 });

const batchOf = (size: number, signing: 'meta' | 'own'): SQSEvent => {
  const body = messagesEvent(1).body ?? '';
  const copy = JSON.stringify({
    v: 1,
    relay: signing === 'meta' ? 'd0' : 'd1',
    deliveryId: 'bench',
    receivedAt: Date.now(),
    signature: signBody(body, SECRET),
    ...relayBody(Buffer.from(body)),
  });
  return {
    Records: Array.from({ length: size }, (_, index) => sqsRecord(copy, index)),
  };
};

export interface DelivererCpu {
  signing: 'meta' | 'own';
  cpuMicrosPerRecord: number;
  floorCpuMicrosPerRecord: number;
  logBytesPerBatch: number;
}

/**
 * CPU per relayed copy of a destination's real deliverer (middy, validation, own bodies and signing, metrics) and
 * of the floor, the destination answering at once (`fetch` stubbed: the network is the same for both), production
 * log level and EMF on; and the log bytes of one invocation.
 */
export const measureDelivererCpu = async (batchSize: number, batches: number): Promise<DelivererCpu[]> => {
  const restore = productionTelemetry();
  const context = localContext('relay', 300_000);
  const rows: DelivererCpu[] = [];
  for (const [index, signing] of (['meta', 'own'] as const).entries()) {
    const destination = benchDestinations(2)[index];
    if (destination === undefined) throw new Error('two destinations');
    const ours = relayDelivererHandler({
      destination,
      secret: { get: async () => 'own-secret' },
      claims: new LocalClaimStore(),
      retries: { later: async () => undefined },
      deadLetters: new MemoryDeadLetters(),
      telemetry: new Telemetry(`relay-${destination.name}`),
      fetch: answered,
    });
    const floor = createFloorRelay(
      destination.url,
      answered,
      signing === 'own' ? { field: 'messages', secret: 'own-secret' } : undefined,
    );
    const event = batchOf(batchSize, signing);
    const cpu = await pairedCpuPerRecord(
      () => ours(event, context),
      () => floor(event),
      batchSize,
      batches,
    );
    rows.push({
      signing,
      cpuMicrosPerRecord: round(cpu.cpuMicrosPerRecord, 0),
      floorCpuMicrosPerRecord: round(cpu.floorCpuMicrosPerRecord, 0),
      logBytesPerBatch: cpu.logBytesPerBatch,
    });
  }
  restore();
  return rows;
};

interface RelayWork {
  delivererCpuMicros: number;
  delivererLogBytesPerBatch: number;
  webhookExtraCpuMicros: number;
  webhookExtraLogBytes: number;
  /** The answer waits for the slower of two parallel sends: the same for any relay of this architecture. */
  webhookExtraWaitMs: number;
}

/** Dollars per million deliveries relayed to one destination, deliverer batches of `batch`. */
const priced = (batch: number, work: RelayWork): Record<string, number> => {
  const million = 1_000_000;
  const batches = million / batch;
  const a = RELAY_ASSUMPTIONS;
  // Records are sent one at a time: a batch takes its CPU plus one round trip per record.
  const billedMs = Math.ceil((batch * work.delivererCpuMicros) / 1000 + batch * a.destinationRoundTripMs);
  const webhookMs = work.webhookExtraCpuMicros / 1000 + work.webhookExtraWaitMs;
  return {
    sqs: ((million + batches * 2) / million) * PRICES.sqsRequestsPerMillion,
    lambdaRequests: (batches / million) * PRICES.lambdaRequestsPerMillion,
    lambdaDuration:
      batches * (billedMs / 1000) * a.delivererMemoryGb * PRICES.lambdaArmGbSecond +
      million * (webhookMs / 1000) * a.webhookMemoryGb * PRICES.lambdaArmGbSecond,
    s3ClaimChecks: (million * a.claimCheckShare * (PRICES.s3PutPerThousand + PRICES.s3GetPerThousand)) / 1000,
    logs:
      ((batches * work.delivererLogBytesPerBatch + million * work.webhookExtraLogBytes) / 1024 ** 3) *
      PRICES.logsIngestionPerGb,
  };
};

const total = (parts: Record<string, number>) => Object.values(parts).reduce((sum, value) => sum + value, 0);

export interface RelayCostRow {
  name: string;
  perMillion: Record<string, number>;
  total: number;
  floorTotal: number;
  ratio: number;
}

/**
 * The cost of relaying a million deliveries to one destination, beside the same architecture's floor: the same
 * SQS requests (the webhook's send, the event source's receive and delete per batch), the same invocations, the
 * same destination round trips and the same wait for a parallel send in the webhook, with the floor deliverer's
 * CPU, no CPU or log bytes added to the webhook and no application logs. Two shapes: batches of 1 (a quiet destination) and of 10 (a busy one).
 */
export const relayCostModel = (latency: RelayLatencyFigures, cpu: DelivererCpu[]): RelayCostRow[] => {
  const [none, one] = latency.rows;
  const meta = cpu.find((row) => row.signing === 'meta');
  if (none === undefined || one === undefined || meta === undefined) throw new Error('figures missing');
  const ours: RelayWork = {
    delivererCpuMicros: meta.cpuMicrosPerRecord,
    delivererLogBytesPerBatch: meta.logBytesPerBatch,
    webhookExtraCpuMicros: Math.max(0, one.cpuMicros - none.cpuMicros),
    webhookExtraLogBytes: Math.max(0, one.logBytesPerDelivery - none.logBytesPerDelivery),
    webhookExtraWaitMs: Math.max(0, one.addedP50Ms),
  };
  const floor: RelayWork = {
    delivererCpuMicros: meta.floorCpuMicrosPerRecord,
    delivererLogBytesPerBatch: 0,
    webhookExtraCpuMicros: 0,
    webhookExtraLogBytes: 0,
    webhookExtraWaitMs: ours.webhookExtraWaitMs,
  };
  return [
    { name: 'deliverer batches of 1 (quiet)', batch: 1 },
    { name: 'deliverer batches of 10 (busy)', batch: 10 },
  ].map(({ name, batch }) => {
    const perMillion = priced(batch, ours);
    const floorTotal = total(priced(batch, floor));
    return {
      name,
      perMillion,
      total: total(perMillion),
      floorTotal,
      ratio: round(total(perMillion) / floorTotal),
    };
  });
};
