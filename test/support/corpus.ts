import { readdirSync, readFileSync } from 'node:fs';
import { DeleteItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { LocalStack } from '../../local/stack.js';
import { DOMAINS } from '../../shared/domains/registry.js';
import { parseJsonExact } from '../../shared/kernel/json.js';
import { postSigned } from './local-stack.js';

/** One sample of `fixtures/public/` (see its README for the format and the `expect` vocabulary). */
export interface Sample {
  file: string;
  source: { url: string; kind: string };
  shapeOnly?: boolean;
  kind: 'webhook' | 'graph-answer' | 'graph-error' | 'callback-request' | 'callback-answer';
  expect: Record<string, unknown>;
  body: unknown;
}

const root = new URL('../../fixtures/public/', import.meta.url);

export const GROUPS = [
  'account-update',
  'partner-solutions',
  'handover',
  'graph',
  'data-deletion',
  'onboarding',
  'whatsapp-routing',
] as const;

/** Every sample of a group, read with exact digits (IDs past 2^53 keep theirs). */
export const samples = (group: (typeof GROUPS)[number]): Sample[] =>
  readdirSync(new URL(`${group}/`, root))
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => ({
      file: `${group}/${name}`,
      ...(parseJsonExact(readFileSync(new URL(`${group}/${name}`, root), 'utf8')) as Omit<Sample, 'file'>),
    }));

export const sample = (file: string): Sample => {
  const [group, name] = file.split('/') as [(typeof GROUPS)[number], string];
  const found = samples(group).find((each) => each.file === `${group}/${name}.json`);
  if (found === undefined) throw new Error(`no sample ${file}`);
  return found;
};

export const webhookSamples = (): Sample[] =>
  GROUPS.flatMap((group) => samples(group)).filter((each) => each.kind === 'webhook');

/** Deletes every item of the state tables: each sample's `expect` is "after this one sample on an empty store". */
export const clearTables = async (stack: LocalStack): Promise<void> => {
  const { client, tableNames } = stack.dynamo;
  for (const domain of DOMAINS) {
    const { partitionKey, sortKey } = domain.table;
    const TableName = tableNames[domain.name];
    const { Items = [] } = await client.send(new ScanCommand({ TableName }));
    for (const item of Items) {
      const key = { [partitionKey]: item[partitionKey], ...(sortKey ? { [sortKey]: item[sortKey] } : {}) };
      await client.send(new DeleteItemCommand({ TableName, Key: key as never }));
    }
  }
};

/** Counts every message sent to each queue and dead-letter queue, consumed or not. */
const sendCounts = new WeakMap<LocalStack, Record<string, number>>();
const countsOf = (stack: LocalStack): Record<string, number> => {
  let counts = sendCounts.get(stack);
  if (counts === undefined) {
    const fresh: Record<string, number> = {};
    for (const queue of Object.values(stack.queues.queues)) {
      for (const each of [queue, queue.dlq]) {
        if (each === undefined) continue;
        each.onMessage((sent) => {
          fresh[each.name] = (fresh[each.name] ?? 0) + sent;
        });
      }
    }
    counts = fresh;
    sendCounts.set(stack, counts);
  }
  return counts;
};

export type Routed = Record<string, number>;

/** Sends a sample's body as Meta would (signed), waits for the consumers, and says where its changes went. */
export const deliver = async (
  stack: LocalStack,
  body: unknown,
): Promise<{ status: number; routed: Routed }> => {
  const counts = countsOf(stack);
  const before = { ...counts };
  const response = await postSigned(stack.url, JSON.stringify(body), stack.env.META_APP_SECRET ?? '');
  await stack.drain();
  const routed = Object.fromEntries(
    Object.entries(counts)
      .map(([name, count]) => [name, count - (before[name] ?? 0)] as const)
      .filter(([, count]) => count > 0),
  );
  return { status: response.status, routed };
};

export const readJson = async (stack: LocalStack, path: string, init: RequestInit = {}) => {
  const response = await fetch(`${stack.url}${path}`, {
    ...init,
    headers: { 'content-type': 'application/json', ...init.headers },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};
