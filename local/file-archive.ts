import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type ArchivedDelivery,
  type ArchivedEntryAt,
  type ArchivePosition,
  type ArchiveReader,
  archiveLine,
  comparePositions,
  type DeliveryArchive,
  hourPartition,
  mayFollow,
  parseArchiveLines,
  partitionsFor,
} from '../shared/platform/archive/archive.js';
import { LineFile } from './durable-file.js';

/**
 * Local mode's archive: the same JSON lines as the AWS archive, one file per hour under the data folder
 * (`archive/yyyy/MM/dd/HH.jsonl`, written before the 200 like the queues), or in memory without a folder.
 */
export class FileArchive implements DeliveryArchive, ArchiveReader {
  private readonly memory = new Map<string, string>();

  public constructor(private readonly folder?: string) {}

  public async keep(delivery: ArchivedDelivery): Promise<void> {
    const partition = hourPartition(delivery.receivedAt);
    const line = archiveLine(delivery.receivedAt, delivery.body);
    if (this.folder === undefined) {
      this.memory.set(partition, `${this.memory.get(partition) ?? ''}${line}`);
      return;
    }
    // Opened per delivery (hour files come and go): each open also cuts off a line torn by a crash.
    const file = new LineFile(join(this.folder, `${partition}.jsonl`));
    try {
      file.append(line, false);
    } finally {
      file.close();
    }
  }

  public async *read(fromMs: number, toMs: number, after?: ArchivePosition): AsyncIterable<ArchivedEntryAt> {
    for (const partition of partitionsFor(fromMs, toMs)) {
      if (!mayFollow(after, partition, '')) continue;
      const path = this.folder === undefined ? undefined : join(this.folder, `${partition}.jsonl`);
      const text =
        path === undefined
          ? (this.memory.get(partition) ?? '')
          : existsSync(path)
            ? readFileSync(path, 'utf8')
            : '';
      for (const entry of parseArchiveLines(text)) {
        const position = { partition, key: '', line: entry.line };
        if (after !== undefined && comparePositions(position, after) <= 0) continue;
        if ('body' in entry && entry.receivedAt >= fromMs && entry.receivedAt <= toMs)
          yield { receivedAt: entry.receivedAt, body: entry.body, position };
      }
    }
  }
}
