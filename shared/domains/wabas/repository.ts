import { BadRequestError } from '../../kernel/errors.js';
import type { Item, WriteOutcome } from '../../kernel/registers.js';
import { decodeCursor, encodeCursor } from '../../platform/store/cursor.js';
import {
  type Page,
  projectPage,
  type RegisterReads,
  type RegisterStore,
  type RegisterWrites,
} from '../../platform/store/ports.js';
import { wabasManifest } from './manifest.js';
import { projectWaba, type Waba } from './view.js';
import { type WabaEvent, wabaKey, wabaWrite } from './waba.js';

const TABLE = wabasManifest.table;
/** The indexes a solution's WABAs are listed from, in the order their solution attribute takes precedence. */
const SOLUTION_INDEXES = TABLE.indexes.filter(
  (index) => index.partitionKey === 'solutionId' || index.partitionKey === 'observedSolutionId',
);

/**
 * The WABAs table: the write side (apply an event: one conditional write) for the consumer, the read side
 * (the projected read model) for the API, both for actions and reconciliation.
 */
export const wabaWrites = (writer: RegisterWrites) => ({
  apply: (event: WabaEvent): Promise<WriteOutcome> => writer.write(wabaKey(event.wabaId), wabaWrite(event)),
});
export type WabaWrites = ReturnType<typeof wabaWrites>;

export class WabaReads {
  public constructor(
    public readonly table: RegisterReads,
    private readonly now: () => number = Date.now,
  ) {}

  public async get(wabaId: string): Promise<Waba | undefined> {
    return projectWaba(await this.table.get(wabaKey(wabaId)), this.now());
  }

  public items(wabaIds: readonly string[]): Promise<Item[]> {
    return this.table.batchGet(wabaIds.map(wabaKey));
  }

  /** Every WABA, a page at a time, in the table's order. */
  public async list(limit: number, cursor?: string): Promise<Page<Waba>> {
    const page = await this.table.scanPage(limit, cursor, [TABLE.partitionKey]);
    return projectPage(page, (item) => projectWaba(item, this.now()));
  }

  /**
   * A solution's WABAs: first those whose PARTNER_ADDED names it, then those only reconciliation tied to
   * it. The cursor remembers which index it is in.
   */
  public async listBySolution(solutionId: string, limit: number, cursor?: string): Promise<Page<Waba>> {
    let { index, inner } = decodeListCursor(cursor);
    const items: Waba[] = [];
    while (index < SOLUTION_INDEXES.length && items.length < limit) {
      const definition = SOLUTION_INDEXES[index];
      if (definition === undefined) break;
      const page = await this.table.queryIndexPage(
        {
          name: definition.name,
          keyName: definition.partitionKey,
          keyNames: [definition.partitionKey, definition.sortKey, TABLE.partitionKey],
        },
        solutionId,
        limit - items.length,
        inner,
      );
      for (const item of page.items) {
        // A WABA with an add-owned solution was listed (or excluded) by the first index already.
        if (index > 0 && item.solutionId !== undefined) continue;
        const waba = projectWaba(item, this.now());
        if (waba !== undefined) items.push(waba);
      }
      inner = page.nextCursor ?? undefined;
      if (inner === undefined) index += 1;
    }
    const more = index < SOLUTION_INDEXES.length;
    return {
      items,
      nextCursor: more ? encodeCursor({ index, ...(inner === undefined ? {} : { inner }) }) : null,
    };
  }
}

/** Which index a solution's listing is in, and the position within it; anything else is a 400. */
const decodeListCursor = (cursor: string | undefined): { index: number; inner: string | undefined } => {
  if (cursor === undefined) return { index: 0, inner: undefined };
  const { index, inner, ...rest } = decodeCursor(cursor);
  if (
    Object.keys(rest).length > 0 ||
    typeof index !== 'number' ||
    !Number.isInteger(index) ||
    index < 0 ||
    index >= SOLUTION_INDEXES.length ||
    (inner !== undefined && typeof inner !== 'string')
  ) {
    throw new BadRequestError('cursor is not one this API returned');
  }
  return { index, inner };
};

export class WabaRepository extends WabaReads {
  public apply: WabaWrites['apply'];

  public constructor(table: RegisterStore, now: () => number = Date.now) {
    super(table, now);
    this.apply = wabaWrites(table).apply;
  }
}
