import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileArchive } from '../../local/file-archive.js';
import { hourPartition } from '../../shared/platform/archive/archive.js';
import { useTempFolders } from '../support/temp-folders.js';

const folder = useTempFolders('archive');

const readAll = async (archive: FileArchive, fromMs: number, toMs: number) => {
  const bodies: string[] = [];
  for await (const delivery of archive.read(fromMs, toMs)) bodies.push(delivery.body.toString('utf8'));
  return bodies;
};

describe('local archive on disk', () => {
  it('keeps a delivery archived after a torn line (the process died mid-write)', async () => {
    // Prepare: an hour file whose last line was cut short.
    const dir = folder();
    const receivedAt = Date.UTC(2024, 10, 14, 9, 30);
    await new FileArchive(dir).keep({ receivedAt, body: Buffer.from('{"first":1}') });
    appendFileSync(join(dir, `${hourPartition(receivedAt)}.jsonl`), '{"receivedAt":1731576600000,"bo');

    // Act: local mode restarts and archives the next delivery.
    await new FileArchive(dir).keep({ receivedAt: receivedAt + 1_000, body: Buffer.from('{"second":2}') });

    // Assess: both deliveries replay.
    expect(await readAll(new FileArchive(dir), receivedAt, receivedAt + 1_000)).toEqual([
      '{"first":1}',
      '{"second":2}',
    ]);
  });
});
