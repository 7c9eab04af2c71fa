import { existsSync, statSync } from 'node:fs';
import { isRecord } from '../shared/kernel/json.js';
import type { Item, RegisterWrite } from '../shared/kernel/registers.js';
import { LineFile, readJsonLines } from './durable-file.js';

/** A write about to be made, with the item as it was before it. */
export interface StreamIntent {
  key: Item;
  write: RegisterWrite;
  before: Item | undefined;
}

/** Settled intents are dropped once the journal passes this size. */
const COMPACT_BYTES = 1 << 20;

/** Whether `item` holds `write`: its register at exactly that version. */
export const wasApplied = (item: Item | undefined, write: RegisterWrite): boolean => {
  const register = item?.[write.register];
  return isRecord(register) && register.v === write.value.v;
};

/**
 * The local stream's write-ahead journal (`stream/<table>.jsonl`): each write's intent is on disk before the
 * write. Intents whose write was applied but not published (a crash in between) are found again at start.
 * Kept until the next start's recovery, then cleared.
 */
export class StreamIntents {
  private readonly file: LineFile;
  private kept = false;

  public constructor(private readonly path: string) {
    this.file = new LineFile(path);
  }

  public record(key: Item, write: RegisterWrite, before: Item | undefined): void {
    this.file.append(`${JSON.stringify({ key, write, before: before ?? null })}\n`, true);
  }

  public pending(): StreamIntent[] {
    return readJsonLines(this.path)
      .filter((intent) => isRecord(intent.key) && isRecord(intent.write))
      .map((intent) => ({
        key: intent.key as Item,
        write: intent.write as unknown as RegisterWrite,
        before: isRecord(intent.before) ? (intent.before as Item) : undefined,
      }));
  }

  public clear(): void {
    this.file.replace('');
  }

  /** Starts the journal over once it has grown past `COMPACT_BYTES` (called when no write is in flight). */
  public compact(): void {
    if (this.kept || !existsSync(this.path) || statSync(this.path).size < COMPACT_BYTES) return;
    this.clear();
  }

  /** A publish failed after its write: nothing is cleared before the next start recovers it. */
  public keepUntilRestart(): void {
    this.kept = true;
  }
}
