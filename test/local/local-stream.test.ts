import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalEventBus } from '../../local/event-bus.js';
import { StreamedTable } from '../../local/local-stream.js';
import { StreamIntents } from '../../local/stream-intents.js';
import { decodeHandover } from '../../shared/domains/threads/decode.js';
import { threadEvents } from '../../shared/domains/threads/events.js';
import { type ThreadEvent, threadKey, threadWrite } from '../../shared/domains/threads/thread.js';
import { RegisterTable } from '../../shared/platform/store/register-table.js';
import { useLocalTables } from '../support/dynamo.js';
import { fixtureEnvelope } from '../support/envelopes.js';
import { useTempFolders } from '../support/temp-folders.js';

/**
 * Local mode's stream keeps DynamoDB Streams' promise across `kill -9`: a write applied but not yet published
 * is published at the next start, once; the bus keeps its events and their positions across restarts.
 */
const tables = useLocalTables();
const folder = useTempFolders('stream');
const take = decodeHandover(fixtureEnvelope('take-thread-control')) as ThreadEvent;

describe('the local stream across a crash', () => {
  it('publishes, at the next start, the events of a write applied but never published; once', async () => {
    // Prepare: the intent is on disk and the write applied, then the process died before publishing.
    const dir = folder();
    const inner = new RegisterTable(tables.dynamo.client, tables.dynamo.tableNames.threads);
    const key = threadKey(take.pageId, take.userId);
    const write = threadWrite(take);
    new StreamIntents(join(dir, 'stream', 'threads.jsonl')).record(key, write, await inner.get(key));
    await inner.writeReturningOld(key, write);

    // Act: two starts on the same folder.
    const restart = async () => {
      const bus = new LocalEventBus(join(dir, 'events.jsonl'));
      const intents = new StreamIntents(join(dir, 'stream', 'threads.jsonl'));
      const recovered = await new StreamedTable(inner, threadEvents, bus, intents).recover();
      bus.close();
      return { recovered, events: bus.items.map((event) => event['detail-type']) };
    };
    const first = await restart();
    const second = await restart();

    // Assess
    expect(first).toEqual({ recovered: 1, events: ['Thread Owner Changed'] });
    expect(second).toEqual({ recovered: 0, events: ['Thread Owner Changed'] });
  });
});
