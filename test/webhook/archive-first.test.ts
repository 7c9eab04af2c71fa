import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EXAMPLE, FIXTURES } from '../../fixtures/deliveries.js';
import { FileArchive } from '../../local/file-archive.js';
import { type LocalStack, startLocalStack } from '../../local/stack.js';
import { hourPartition } from '../../shared/platform/archive/archive.js';
import { readJson } from '../support/corpus.js';
import { postSigned } from '../support/local-stack.js';
import { useTempFolders } from '../support/temp-folders.js';

/**
 * Archive and queueing succeed or fail together as Meta sees them: a delivery answered non-2xx leaves nothing a
 * replay could miss. Local mode on a data folder; the archive's hour file is made unwritable (a folder stands in
 * its place), which is how a full disk or a throttled Firehose looks to the webhook.
 */
const folder = useTempFolders('archive-first');
const RECEIVED_AT = Date.UTC(2026, 0, 15, 10, 30);
let stack: LocalStack | undefined;

afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const started = async () => {
  const dataDir = folder();
  stack = await startLocalStack({
    env: {},
    port: 0,
    dataDir,
    visibilityTimeoutMs: 200,
    now: () => RECEIVED_AT,
  });
  const hourFile = join(dataDir, 'archive', `${hourPartition(RECEIVED_AT)}.jsonl`);
  return { stack, hourFile, archive: new FileArchive(join(dataDir, 'archive')) };
};

const archivedBodies = async (reader: FileArchive) => {
  const bodies: string[] = [];
  for await (const delivery of reader.read(RECEIVED_AT - 1_000, RECEIVED_AT + 1_000))
    bodies.push(delivery.body.toString('utf8'));
  return bodies;
};

describe('a delivery the archive refuses is not applied either', () => {
  it('answers 503, queues nothing, writes nothing, publishes nothing; Meta’s retry then applies it once', async () => {
    // Prepare
    const { stack: local, hourFile, archive } = await started();
    mkdirSync(hourFile, { recursive: true });
    const body = JSON.stringify(FIXTURES['partner-added']?.body);
    const secret = local.env.META_APP_SECRET ?? '';

    // Act: the archive refuses; then it recovers and Meta delivers again
    const refused = await postSigned(local.url, body, secret);
    await local.drain();
    const afterRefusal = {
      sends: local.queues.sendCalls,
      waba: (await readJson(local, `/v1/wabas/${EXAMPLE.wabaId}`)).status,
      events: local.events.items.length,
    };
    rmSync(hourFile, { recursive: true });
    const retried = await postSigned(local.url, body, secret);
    await local.drain();

    // Assess
    expect(refused.status).toBe(503);
    expect(afterRefusal).toEqual({ sends: 0, waba: 404, events: 0 });
    expect(retried.status).toBe(200);
    expect((await readJson(local, `/v1/wabas/${EXAMPLE.wabaId}`)).status).toBe(200);
    expect(await archivedBodies(archive)).toEqual([body]);
  });
});

describe('a delivery archived but not queued is one a replay sees', () => {
  it('the queue refuses after the archive took it: 503, kept in the archive, and a replay applies it', async () => {
    // Prepare
    const { stack: local, archive } = await started();
    local.queues.sendFault = () => {
      throw new Error('ServiceUnavailable');
    };
    const body = JSON.stringify(FIXTURES['partner-added']?.body);

    // Act
    const refused = await postSigned(local.url, body, local.env.META_APP_SECRET ?? '');
    local.queues.sendFault = undefined;
    const second = Math.floor(RECEIVED_AT / 1000);
    const replayed = await readJson(local, '/v1/replay', {
      method: 'POST',
      body: JSON.stringify({ from: second - 1, to: second + 1 }),
    });
    await local.drain();

    // Assess
    expect(refused.status).toBe(503);
    expect(await archivedBodies(archive)).toEqual([body]);
    expect(replayed).toMatchObject({ status: 200, body: { deliveries: 1 } });
    expect((await readJson(local, `/v1/wabas/${EXAMPLE.wabaId}`)).status).toBe(200);
  });
});
