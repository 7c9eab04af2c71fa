import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { countDynamoRequests } from '../local/net.js';
import { startLocalStack } from '../local/stack.js';
import type { Item, RegisterWrite } from '../shared/kernel/registers.js';
import { percentile, round } from './stats.js';

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SECRET = 'load-secret';

export interface LoadFigures {
  rate: number;
  seconds: number;
  sent: number;
  skipped: number;
  statuses: Record<string, number>;
  responseP50Ms: number;
  responseP99Ms: number;
  responseMaxMs: number;
  acceptedToReadableP50Ms: number;
  acceptedToReadableP99Ms: number;
  applied: number;
  readableAtEnd: number;
  lost: number;
  dynamoRequestsPerEvent: number;
  dynamoReadsDuringLoad: number;
}

/**
 * Local mode under a fixed-rate load: response latency seen by the generator, accepted → readable
 * latency measured in the server (queued by the webhook → the conditional write that makes it readable
 * resolved; reads are strongly consistent, so the item reads back from then on), and a count of anything lost.
 */
export const measureLoad = async (rate: number, seconds: number): Promise<LoadFigures> => {
  const stack = await startLocalStack({
    env: { META_APP_SECRET: SECRET },
    port: 0,
    visibilityTimeoutMs: 10_000,
  });
  try {
    const requests = countDynamoRequests(stack.dynamo.client).byCommand;
    const acceptedAt = new Map<string, number>();
    const readableAt = new Map<string, number>();
    const sendBatch = stack.queues.sendBatch.bind(stack.queues);
    stack.queues.sendBatch = async (queue, entries) => {
      const result = await sendBatch(queue, entries);
      const failed = new Set(result.failed.map((entry) => entry.id));
      const now = performance.now();
      for (const entry of entries) {
        const eventId = /"eventId":"([0-9a-f]+)"/.exec(entry.body)?.[1];
        if (eventId !== undefined && !failed.has(entry.id)) acceptedAt.set(eventId, now);
      }
      return result;
    };
    // The WABAs consumer writes through the domain's table (its composition root builds its own repository):
    // a write's register version ends with the event's ID.
    const table = stack.tables.wabas;
    if (table === undefined) throw new Error('local mode has no wabas table');
    const write = table.write.bind(table);
    table.write = async (key: Item, change: RegisterWrite) => {
      const outcome = await write(key, change);
      const eventId = change.value.v.split('.').at(-1) ?? '';
      if (!readableAt.has(eventId)) readableAt.set(eventId, performance.now());
      return outcome;
    };
    const { stdout } = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        join(root, 'bench', 'load-generator.ts'),
        `${stack.url}/webhook`,
        String(rate),
        String(seconds),
        SECRET,
        '9',
      ],
      {
        cwd: root,
        maxBuffer: 10 * 1024 * 1024,
      },
    );
    const generated = JSON.parse(stdout) as {
      sent: number;
      skipped: number;
      statuses: Record<string, number>;
      p50: number;
      p99: number;
      max: number;
    };
    await stack.drain(120_000);
    const updates = requests.get('UpdateItemCommand') ?? 0;
    const reads = [...requests]
      .filter(([command]) => command !== 'UpdateItemCommand')
      .reduce((sum, [, count]) => sum + count, 0);
    const ids = Array.from({ length: generated.sent + generated.skipped }, (_, index) => `9${index}`);
    const readable = (await stack.repositories.wabas.items(ids)).length;
    const latencies = [...acceptedAt]
      .map(([eventId, at]) => (readableAt.get(eventId) ?? Number.NaN) - at)
      .filter(Number.isFinite);
    return {
      rate,
      seconds,
      sent: generated.sent,
      skipped: generated.skipped,
      statuses: generated.statuses,
      responseP50Ms: round(generated.p50),
      responseP99Ms: round(generated.p99),
      responseMaxMs: round(generated.max),
      acceptedToReadableP50Ms: round(percentile(latencies, 50)),
      acceptedToReadableP99Ms: round(percentile(latencies, 99)),
      applied: readableAt.size,
      readableAtEnd: readable,
      lost: (generated.statuses['200'] ?? 0) - readable,
      dynamoRequestsPerEvent: round(updates / Math.max(1, readableAt.size), 3),
      dynamoReadsDuringLoad: reads,
    };
  } finally {
    await stack.close();
  }
};
