import type { Item, RegisterWrite, WriteOutcome } from '../../kernel/registers.js';

/**
 * What a domain's repository needs of its table: the read side, the write side (the one conditional write per
 * event), or both. DynamoDB implements them (`register-reader.ts`, `register-writer.ts`); a domain only ever
 * sees these interfaces, so its code carries no SDK.
 */
export interface RegisterReads {
  get(key: Item): Promise<Item | undefined>;
  batchGet(keys: readonly Item[]): Promise<Item[]>;
  /** `keyNames`: the table's key attributes, the only ones a cursor may hold. */
  scanPage(limit: number, cursor: string | undefined, keyNames: readonly string[]): Promise<Page<Item>>;
  /** A page of one partition of a global secondary index, or of the table itself (`PartitionQuery`). */
  queryIndexPage(
    index: PartitionQuery,
    keyValue: string,
    limit: number,
    cursor: string | undefined,
  ): Promise<Page<Item>>;
}

/** Which partition a query reads, and what a cursor into it may hold. */
export interface PartitionQuery {
  /** The global secondary index; absent, the table itself (its own partition key). */
  name?: string;
  /** The partition key attribute queried. */
  keyName: string;
  /** Every key attribute of a position (the table's and the index's): the only ones a cursor may hold. */
  keyNames: readonly string[];
  /** What each key value of a cursor may be: a Meta ID unless the domain's keys say otherwise. */
  isKeyValue?: (value: unknown) => boolean;
}

/** The write side of a register table: the only DynamoDB call a consumer can make. */
export interface RegisterWrites {
  write(key: Item, write: RegisterWrite): Promise<WriteOutcome>;
}

export type RegisterStore = RegisterReads & RegisterWrites;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A page of items as a page of read models; an item that reads as nothing is left out. */
export const projectPage = <T>(page: Page<Item>, project: (item: Item) => T | undefined): Page<T> => ({
  items: page.items.map(project).filter((value): value is T => value !== undefined),
  nextCursor: page.nextCursor,
});
