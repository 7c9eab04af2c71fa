import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DAY_SECONDS, type Retention } from '../shared/kernel/retention.js';
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

export interface FileArchiveOptions {
  /**
   * How long each kind of delivery is kept, as the archive bucket's lifecycle rules keep it; passthrough-only
   * deliveries then go to their own folder (`passthrough/`), or nowhere (`none`). Unset: all kept together.
   */
  retention?: Pick<Retention, 'archiveDays' | 'passthroughDays'>;
  now?: () => number;
}

const HOUR_MS = 3_600_000;
const PASSTHROUGH = 'passthrough';

/**
 * Local mode's archive: the same JSON lines as the AWS archive, one file per hour under the data folder
 * (`archive/yyyy/MM/dd/HH.jsonl`, written before the 200 like the queues; passthrough-only deliveries under
 * `archive/passthrough/`), or in memory without a folder. With a retention, what has expired is neither read
 * nor kept: hour files past it are deleted as new hours begin.
 */
export class FileArchive implements DeliveryArchive, ArchiveReader {
  private readonly memory = new Map<string, string>();
  private prunedHour = 0;

  public constructor(
    private readonly folder?: string,
    private readonly options: FileArchiveOptions = {},
  ) {}

  public async keep(delivery: ArchivedDelivery): Promise<void> {
    const kind = this.kindOf(delivery);
    if (kind === undefined) return;
    this.prune();
    const partition = `${kind}${hourPartition(delivery.receivedAt)}`;
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

  /**
   * Each hour's deliveries, then its passthrough-only ones, as the bucket is read: in archive order (the kind's
   * folder is the position's key), after `after` when given.
   */
  public async *read(fromMs: number, toMs: number, after?: ArchivePosition): AsyncIterable<ArchivedEntryAt> {
    const kinds = this.options.retention === undefined ? [''] : ['', `${PASSTHROUGH}/`];
    for (const partition of partitionsFor(fromMs, toMs)) {
      for (const kind of kinds) {
        if (!mayFollow(after, partition, kind)) continue;
        const oldest = this.oldestKept(kind);
        for (const entry of parseArchiveLines(this.text(`${kind}${partition}`))) {
          const position = { partition, key: kind, line: entry.line };
          if (after !== undefined && comparePositions(position, after) <= 0) continue;
          if ('body' in entry && entry.receivedAt >= Math.max(fromMs, oldest) && entry.receivedAt <= toMs)
            yield { receivedAt: entry.receivedAt, body: entry.body, position };
        }
      }
    }
  }

  /** The folder prefix a delivery is kept under (`''` or `passthrough/`); undefined: not kept at all. */
  private kindOf(delivery: ArchivedDelivery): string | undefined {
    const retention = this.options.retention;
    if (retention === undefined || delivery.passthroughOnly !== true) return '';
    return retention.passthroughDays === null ? undefined : `${PASSTHROUGH}/`;
  }

  /** Epoch ms of the oldest delivery of a kind still kept (0 without a retention). */
  private oldestKept(kind: string): number {
    const retention = this.options.retention;
    if (retention === undefined) return 0;
    const days = kind === '' ? retention.archiveDays : (retention.passthroughDays ?? 0);
    return (this.options.now ?? Date.now)() - days * DAY_SECONDS * 1000;
  }

  private text(partition: string): string {
    if (this.folder === undefined) return this.memory.get(partition) ?? '';
    const path = join(this.folder, `${partition}.jsonl`);
    return existsSync(path) ? readFileSync(path, 'utf8') : '';
  }

  /** Deletes (once an hour) every hour file whose deliveries have all expired, as the lifecycle rules do. */
  private prune(): void {
    const hour = Math.floor((this.options.now ?? Date.now)() / HOUR_MS);
    if (this.options.retention === undefined || hour === this.prunedHour) return;
    this.prunedHour = hour;
    for (const kind of ['', `${PASSTHROUGH}/`]) {
      const expired = (partition: string) => partitionEnd(partition) < this.oldestKept(kind);
      if (this.folder === undefined) {
        const ofKind = (key: string) =>
          kind === '' ? !key.startsWith(`${PASSTHROUGH}/`) : key.startsWith(kind);
        for (const key of [...this.memory.keys()])
          if (ofKind(key) && expired(key.slice(kind.length))) this.memory.delete(key);
        continue;
      }
      for (const partition of hourFiles(join(this.folder, kind)))
        if (expired(partition)) rmSync(join(this.folder, kind, `${partition}.jsonl`), { force: true });
    }
  }
}

/** Epoch ms at the end of an hour partition `yyyy/MM/dd/HH`. */
const partitionEnd = (partition: string): number => {
  const [year, month, day, hour] = partition.split('/').map(Number);
  return Date.UTC(year ?? 0, (month ?? 1) - 1, day ?? 1, hour ?? 0) + HOUR_MS;
};

/** The hour partitions (`yyyy/MM/dd/HH`) with a file under a folder. */
const hourFiles = (root: string): string[] => {
  const below = (path: string, depth: number): string[] => {
    const folder = join(root, path);
    if (!existsSync(folder)) return [];
    return readdirSync(folder).flatMap((name) => {
      if (depth === 3) return /^\d{2}\.jsonl$/.test(name) ? [`${path}${name.slice(0, 2)}`] : [];
      return /^\d+$/.test(name) ? below(`${path}${name}/`, depth + 1) : [];
    });
  };
  return below('', 0);
};
