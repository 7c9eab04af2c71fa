import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type LocalQueue, queueWithDlq } from '../../local/in-process-queue.js';
import { useTempFolders } from '../support/temp-folders.js';

/** A journaled queue reopened on the same folder, as local mode restarts after a crash. */
const folder = useTempFolders('journal');

const open = (journalDir: string, now: () => number): LocalQueue =>
  queueWithDlq('wabas', { visibilityTimeoutMs: 1_000, maxReceiveCount: 2, journalDir, now });

describe('journaled local queue', () => {
  it('resumes with every unacknowledged message, its receive count and visibility, and its DLQ rule', () => {
    const dir = folder();
    let time = 1_000;
    const before = open(dir, () => time);
    before.sendMany([{ body: 'a' }, { body: 'b' }, { body: 'c' }]);
    const [first] = before.receive(1);
    before.delete(first?.receiptHandle ?? '');
    before.receive(2); // b and c in flight when the process dies
    before.close();

    time = 10_000;
    const after = open(dir, () => time);
    const again = after.receive(10);
    expect(again.map((record) => record.body)).toEqual(['b', 'c']);
    expect(again.map((record) => record.attributes.ApproximateReceiveCount)).toEqual(['2', '2']);
    after.close();

    // Their third receive would pass maxReceiveCount 2: they move to the DLQ, journaled there too.
    time = 20_000;
    const third = open(dir, () => time);
    expect(third.receive(10)).toEqual([]);
    expect(third.dlq?.bodies()).toEqual(['b', 'c']);
    third.close();
    const reopened = open(dir, () => time);
    expect(reopened.dlq?.bodies()).toEqual(['b', 'c']);
    expect(reopened.bodies()).toEqual([]);
    reopened.close();
  });

  it('ignores a torn last line (the process died mid-write) and keeps the rest', () => {
    const dir = folder();
    const queue = open(dir, Date.now);
    queue.send('kept');
    queue.close();
    appendFileSync(join(dir, 'wabas.jsonl'), '{"op":"s","messageId":"torn","bo');
    const reopened = open(dir, Date.now);
    expect(reopened.bodies()).toEqual(['kept']);
    reopened.close();
  });

  it('a message sent after a torn line (crash or full disk mid-write) survives the next restart', () => {
    // Prepare: a journal whose last line was cut short by a crash.
    const dir = folder();
    const queue = open(dir, Date.now);
    queue.send('before');
    queue.close();
    appendFileSync(join(dir, 'wabas.jsonl'), '{"op":"s","messageId":"torn","bo');

    // Act: the restarted queue acknowledges a new message, then local mode restarts again.
    const restarted = open(dir, Date.now);
    restarted.send('acknowledged');
    restarted.close();
    const reopened = open(dir, Date.now);

    // Assess: nothing acknowledged is lost, and every line on disk is whole JSON.
    expect(reopened.bodies()).toEqual(['before', 'acknowledged']);
    const lines = readFileSync(join(dir, 'wabas.jsonl'), 'utf8')
      .split('\n')
      .filter((line) => line !== '');
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    reopened.close();
  });

  it('compacts the journal to the live messages once deletes pile up', () => {
    const dir = folder();
    const queue = open(dir, Date.now);
    for (let index = 0; index < 1_500; index++) {
      queue.send(`m${index}`);
      const [record] = queue.receive(1);
      queue.delete(record?.receiptHandle ?? '');
    }
    queue.send('last');
    queue.close();
    const lines = readFileSync(join(dir, 'wabas.jsonl'), 'utf8').trim().split('\n');
    expect(lines.length).toBeLessThan(2_000);
    const reopened = open(dir, Date.now);
    expect(reopened.bodies()).toEqual(['last']);
    reopened.close();
  });
});
