import type { Item } from '../../kernel/registers.js';
import type { IndexDefinition, TableDefinition } from './tables.js';

/*
 * Erasure without an SDK (domain modules import it; the events function loads them all): the DynamoDB side is
 * `dynamo-erasure.ts`.
 */

/** One erasure: when it happened (events up to then are refused) and until when its tombstones stay. */
export interface Erasure {
  /** Epoch ms: every event about an erased item at or before this instant is refused. */
  atMs: number;
  /** Epoch seconds: the tombstones expire then (TTL), when no event from before the erasure can come any more. */
  tombstonesUntil: number;
}

/** What an erasure needs of a domain's table: find a person's items, and replace each by its tombstone. */
export interface ErasureStore {
  /** The keys of every item an index lists under `value` (a keys-only index: nothing else is read). */
  keysByIndex(index: IndexDefinition, value: string): Promise<Item[]>;
  /**
   * Replaces the item by its tombstone: its keys, the erasure's floor (`ERASED_BEFORE`, which the one
   * conditional write of every event checks) and its expiry; nothing else. True when the item held data.
   */
  tombstone(key: Item, erasure: Erasure): Promise<boolean>;
}

/** A domain's erasure facet (`DomainModule.erase`): erases one person's items, answers how many held data. */
export type EraseUser = (store: ErasureStore, userId: string, erasure: Erasure) => Promise<number>;

/**
 * The erasure of a table whose items are keyed (partly) by the person: every item its keys-only user index
 * lists under the user ID becomes a tombstone. A domain declares the index in its table and this is its facet.
 */
export const eraseByUserIndex =
  (table: TableDefinition, indexName: string): EraseUser =>
  async (store, userId, erasure) => {
    const index = table.indexes.find((candidate) => candidate.name === indexName);
    if (index === undefined) throw new Error(`no index ${indexName} to erase a user by`);
    let erased = 0;
    for (const key of await store.keysByIndex(index, userId))
      if (await store.tombstone(key, erasure)) erased += 1;
    return erased;
  };
