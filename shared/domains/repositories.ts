import { BadRequestError } from '../kernel/errors.js';
import type { Item, WriteOutcome } from '../kernel/registers.js';
import { decodeCursor, encodeCursor } from '../platform/store/cursor.js';
import type { Page, RegisterReads } from '../platform/store/register-reader.js';
import type { RegisterWrites } from '../platform/store/register-writer.js';
import { TABLES } from '../platform/store/tables.js';
import {
  projectSolution,
  type Solution,
  type SolutionEvent,
  solutionKey,
  solutionWrite,
} from './solutions/solution.js';
import {
  type AppRolesEvent,
  PAGE_ITEM_USER_ID,
  type PageRoles,
  projectPageRoles,
  projectThread,
  type Thread,
  type ThreadEvent,
  threadKey,
  threadWrite,
} from './threads/thread.js';
import { projectWaba, type Waba } from './wabas/view.js';
import { type WabaEvent, wabaKey, wabaWrite } from './wabas/waba.js';

const projectPage = <T>(page: Page<Item>, project: (item: Item) => T | undefined): Page<T> => ({
  items: page.items.map(project).filter((value): value is T => value !== undefined),
  nextCursor: page.nextCursor,
});

/**
 * Each table has a write side (`*Writes`: apply an event, one conditional write) and a read side
 * (`*Reads`: the projected read model). Consumers hold only the write side and the read API only the read
 * side, so each function's bundle carries, and its role allows, only the DynamoDB calls it makes; actions
 * and reconciliation hold both (`*Repository`).
 */
export const solutionWrites = (writer: RegisterWrites) => ({
  apply: (event: SolutionEvent): Promise<WriteOutcome> =>
    writer.write(solutionKey(event.solutionId), solutionWrite(event)),
});
export type SolutionWrites = ReturnType<typeof solutionWrites>;

export const wabaWrites = (writer: RegisterWrites) => ({
  apply: (event: WabaEvent): Promise<WriteOutcome> => writer.write(wabaKey(event.wabaId), wabaWrite(event)),
});
export type WabaWrites = ReturnType<typeof wabaWrites>;

export const threadWrites = (writer: RegisterWrites) => ({
  apply: (event: ThreadEvent | AppRolesEvent): Promise<WriteOutcome> => {
    const userId = event.kind === 'app_roles' ? PAGE_ITEM_USER_ID : event.userId;
    return writer.write(threadKey(event.pageId, userId), threadWrite(event));
  },
});
export type ThreadWrites = ReturnType<typeof threadWrites>;

export class SolutionReads {
  public constructor(public readonly table: RegisterReads) {}

  public async get(solutionId: string): Promise<Solution | undefined> {
    return projectSolution(await this.table.get(solutionKey(solutionId)));
  }

  public async list(limit: number, cursor?: string): Promise<Page<Solution>> {
    return projectPage(
      await this.table.scanPage(limit, cursor, [TABLES.solutions.partitionKey]),
      projectSolution,
    );
  }
}

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

  /**
   * A solution's WABAs: first those whose PARTNER_ADDED names it, then those only reconciliation tied to
   * it. The cursor remembers which index it is in.
   */
  public async listBySolution(solutionId: string, limit: number, cursor?: string): Promise<Page<Waba>> {
    let { index, inner } = decodeListCursor(cursor);
    const items: Waba[] = [];
    while (index < TABLES.wabas.indexes.length && items.length < limit) {
      const definition = TABLES.wabas.indexes[index];
      if (definition === undefined) break;
      const page = await this.table.queryIndexPage(
        {
          name: definition.name,
          keyName: definition.partitionKey,
          keyNames: [definition.partitionKey, definition.sortKey, TABLES.wabas.partitionKey],
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
    const more = index < TABLES.wabas.indexes.length;
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
    index >= TABLES.wabas.indexes.length ||
    (inner !== undefined && typeof inner !== 'string')
  ) {
    throw new BadRequestError('cursor is not one this API returned');
  }
  return { index, inner };
};

export class ThreadReads {
  public constructor(
    public readonly table: RegisterReads,
    private readonly now: () => number = Date.now,
  ) {}

  public async get(pageId: string, userId: string): Promise<Thread | undefined> {
    return projectThread(await this.table.get(threadKey(pageId, userId)), this.now());
  }

  public async getPageRoles(pageId: string): Promise<PageRoles | undefined> {
    return projectPageRoles(await this.table.get(threadKey(pageId, PAGE_ITEM_USER_ID)));
  }
}

type Both = RegisterReads & RegisterWrites;

export class SolutionRepository extends SolutionReads {
  public apply: SolutionWrites['apply'];

  public constructor(table: Both) {
    super(table);
    this.apply = solutionWrites(table).apply;
  }
}

export class WabaRepository extends WabaReads {
  public apply: WabaWrites['apply'];

  public constructor(table: Both, now: () => number = Date.now) {
    super(table, now);
    this.apply = wabaWrites(table).apply;
  }
}

export class ThreadRepository extends ThreadReads {
  public apply: ThreadWrites['apply'];

  public constructor(table: Both, now: () => number = Date.now) {
    super(table, now);
    this.apply = threadWrites(table).apply;
  }
}
