import { domainEventsOf, type StreamTable } from '../shared/domain/domain-events.js';
import {
  applyRegisterWrite,
  type Item,
  type RegisterWrite,
  type WriteOutcome,
} from '../shared/domain/registers.js';
import type { EventPublisher } from '../shared/events/ports.js';
import type { Page, RegisterReads } from '../shared/store/register-reader.js';
import type { RegisterTable } from '../shared/store/register-table.js';
import type { RegisterWrites } from '../shared/store/register-writer.js';

/**
 * Local mode's stand-in for a DynamoDB stream (dynalite has none): each applied write yields the item before
 * and after it, diffed into domain events by the same function the stream handler runs in AWS. Writes to one
 * key are serialized here so every before/after pair is exact (other processes do not write local tables).
 */
export class StreamedTable implements RegisterReads, RegisterWrites {
  private readonly locks = new Map<string, Promise<unknown>>();

  public constructor(
    private readonly inner: RegisterTable,
    private readonly table: StreamTable,
    private readonly publisher: EventPublisher,
  ) {}

  public async write(key: Item, write: RegisterWrite): Promise<WriteOutcome> {
    const id = JSON.stringify(key);
    const previous = this.locks.get(id) ?? Promise.resolve();
    const current = previous.then(async () => {
      // One request, as in AWS: the write returns the item before it; the item after is the same write applied
      // in memory (the twin the convergence tests hold equal to DynamoDB's).
      const { outcome, before } = await this.inner.writeReturningOld(key, write);
      if (outcome === 'applied') {
        const after = applyRegisterWrite(before, key, write).item;
        await this.publisher.publish(domainEventsOf(this.table, before, after), new Date());
      }
      return outcome;
    });
    const settled = current.catch(() => undefined);
    this.locks.set(id, settled);
    void settled.then(() => {
      if (this.locks.get(id) === settled) this.locks.delete(id);
    });
    return current;
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
    index: { name: string; keyName: string; keyNames: readonly string[] },
    keyValue: string,
    limit: number,
    cursor: string | undefined,
  ): Promise<Page<Item>> {
    return this.inner.queryIndexPage(index, keyValue, limit, cursor);
  }
}
