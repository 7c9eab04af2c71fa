import type { WriteOutcome } from '../../kernel/registers.js';
import type { RegisterReads, RegisterStore, RegisterWrites } from '../../platform/store/ports.js';
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
} from './thread.js';

/**
 * The threads table: the write side (apply an event: one conditional write) for the consumer, the read side
 * (the projected read model) for actions and the API.
 */
export const threadWrites = (writer: RegisterWrites) => ({
  apply: (event: ThreadEvent | AppRolesEvent): Promise<WriteOutcome> => {
    const userId = event.kind === 'app_roles' ? PAGE_ITEM_USER_ID : event.userId;
    return writer.write(threadKey(event.pageId, userId), threadWrite(event));
  },
});
export type ThreadWrites = ReturnType<typeof threadWrites>;

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

export class ThreadRepository extends ThreadReads {
  public apply: ThreadWrites['apply'];

  public constructor(table: RegisterStore, now: () => number = Date.now) {
    super(table, now);
    this.apply = threadWrites(table).apply;
  }
}
