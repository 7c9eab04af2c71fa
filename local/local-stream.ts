import {
  applyRegisterWrite,
  holdsRegisters,
  type Item,
  type RegisterWrite,
  type WriteOutcome,
} from '../shared/kernel/registers.js';
import type { DeriveEvents } from '../shared/platform/events/domain-event.js';
import type { EventPublisher } from '../shared/platform/events/ports.js';
import type { PartitionQuery } from '../shared/platform/store/ports.js';
import type { Page, RegisterReads } from '../shared/platform/store/register-reader.js';
import type { RegisterTable } from '../shared/platform/store/register-table.js';
import type { RegisterWrites } from '../shared/platform/store/register-writer.js';
import { type StreamIntents, wasApplied } from './stream-intents.js';

/**
 * Local mode's stand-in for a DynamoDB stream (dynalite has none): each applied write yields the item before
 * and after it, diffed into domain events by the same function the stream handler runs in AWS. Writes to one
 * key are serialized here so every before/after pair is exact (other processes do not write local tables).
 * With a data folder, the item before each write and the write itself are journaled first (`StreamIntents`):
 * after a `kill -9` between a write and its publish, `recover` finds the write applied and publishes its events
 * (those not on the bus yet), as a DynamoDB stream keeps a record its reader had not finished.
 */
export class StreamedTable implements RegisterReads, RegisterWrites {
  private readonly locks = new Map<string, Promise<unknown>>();
  private inFlight = 0;

  public constructor(
    private readonly inner: RegisterTable,
    private readonly derive: DeriveEvents,
    private readonly publisher: EventPublisher & { has(id: string): boolean },
    /** With a data folder: each write's intent on disk first, so a crash before its publish loses no event. */
    private readonly intents?: StreamIntents,
  ) {}

  /** Publishes the events of writes a crash left unpublished (run once, before anything else writes). */
  public async recover(): Promise<number> {
    if (this.intents === undefined) return 0;
    let recovered = 0;
    for (const { key, write, before } of this.intents.pending()) {
      const now = await this.inner.get(key);
      if (!wasApplied(now, write)) continue;
      // Its events may have been published before the crash: only the missing ones are.
      await this.publish(key, write, before, (id) => !this.publisher.has(id));
      recovered += 1;
    }
    this.intents.clear();
    return recovered;
  }

  public async write(key: Item, write: RegisterWrite): Promise<WriteOutcome> {
    const id = JSON.stringify(key);
    const previous = this.locks.get(id) ?? Promise.resolve();
    this.inFlight += 1;
    const current = previous
      .then(async () => {
        if (this.intents !== undefined) this.intents.record(key, write, await this.inner.get(key));
        // One request, as in AWS: the write returns the item before it; the item after is the same write
        // applied in memory (the twin the convergence tests hold equal to DynamoDB's).
        const { outcome, before } = await this.inner.writeReturningOld(key, write);
        if (outcome === 'applied') await this.publish(key, write, before);
        return outcome;
      })
      .finally(() => {
        this.inFlight -= 1;
        // With no write in flight every intent is settled: the journal may start over.
        if (this.inFlight === 0) this.intents?.compact();
      });
    const settled = current.catch(() => undefined);
    this.locks.set(id, settled);
    void settled.then(() => {
      if (this.locks.get(id) === settled) this.locks.delete(id);
    });
    return current;
  }

  private async publish(
    key: Item,
    write: RegisterWrite,
    before: Item | undefined,
    keep: (id: string) => boolean = () => true,
  ): Promise<void> {
    const after = applyRegisterWrite(before, key, write).item;
    // A tombstone before the write is no item (the writer replaces an expired one: `before` is then undefined).
    const held = holdsRegisters(before) ? before : undefined;
    const events = this.derive(held, after).filter((event) => keep(event.id));
    try {
      await this.publisher.publish(events, new Date());
    } catch (error) {
      // Applied but not published: its intent must outlive this run, for the next start to publish it.
      this.intents?.keepUntilRestart();
      throw error;
    }
  }

  public get(key: Item): Promise<Item | undefined> {
    return this.inner.get(key);
  }

  public batchGet(keys: readonly Item[]): Promise<Item[]> {
    return this.inner.batchGet(keys);
  }

  public scanPage(
    limit: number,
    cursor: string | undefined,
    keyNames: readonly string[],
  ): Promise<Page<Item>> {
    return this.inner.scanPage(limit, cursor, keyNames);
  }

  public queryIndexPage(
    index: PartitionQuery,
    keyValue: string,
    limit: number,
    cursor: string | undefined,
  ): Promise<Page<Item>> {
    return this.inner.queryIndexPage(index, keyValue, limit, cursor);
  }
}
