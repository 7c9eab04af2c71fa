import type { WriteOutcome } from '../../kernel/registers.js';
import { encodeCursor } from '../../platform/store/cursor.js';
import type { Page, RegisterReads, RegisterStore, RegisterWrites } from '../../platform/store/ports.js';
import { factWrite, threadKey, type WhatsappFact } from './facts.js';
import { whatsappThreadsManifest } from './manifest.js';
import { isThreadKeyValue } from './user-id.js';
import { conversationContextOf, type Owner, projectWhatsappThread, type WhatsappThread } from './view.js';

const TABLE = whatsappThreadsManifest.table;
const KEY_NAMES = [TABLE.partitionKey, TABLE.sortKey] as const;
/** Pages of a phone number's threads one list request may read while filtering by owner (bounded work). */
const MAX_PAGES_PER_LIST = 5;

/** The write side: one conditional write per fact, nothing read. */
export const whatsappThreadWrites = (writer: RegisterWrites) => ({
  apply: (fact: WhatsappFact): Promise<WriteOutcome> =>
    writer.write(threadKey(fact.phoneNumberId, fact.userId), factWrite(fact)),
});
export type WhatsappThreadWrites = ReturnType<typeof whatsappThreadWrites>;

export class WhatsappThreadReads {
  public constructor(
    public readonly table: RegisterReads,
    private readonly now: () => number = Date.now,
  ) {}

  public async get(phoneNumberId: string, userId: string): Promise<WhatsappThread | undefined> {
    return projectWhatsappThread(await this.table.get(threadKey(phoneNumberId, userId)), this.now());
  }

  /** The AI summary of the newest `control_passed` that carried one (never part of the read model). */
  public async conversationContext(phoneNumberId: string, userId: string) {
    return conversationContextOf(await this.table.get(threadKey(phoneNumberId, userId)));
  }

  /**
   * A phone number's threads, optionally only those whose owner (read now) is `owner` (null: idle or unknown). With
   * a filter a page may hold fewer than `limit` threads: follow `nextCursor` until it is null.
   */
  public async listByPhoneNumber(
    phoneNumberId: string,
    owner: Owner | undefined,
    limit: number,
    cursor?: string,
  ): Promise<Page<WhatsappThread>> {
    const now = this.now();
    const items: WhatsappThread[] = [];
    let position = cursor;
    for (let pages = 0; pages < MAX_PAGES_PER_LIST; pages++) {
      const query = { keyName: TABLE.partitionKey, keyNames: KEY_NAMES, isKeyValue: isThreadKeyValue };
      const page = await this.table.queryIndexPage(query, phoneNumberId, limit, position);
      for (const [index, item] of page.items.entries()) {
        const thread = projectWhatsappThread(item, now);
        if (thread === undefined || (owner !== undefined && thread.owner !== owner)) continue;
        items.push(thread);
        if (items.length < limit) continue;
        const last = index === page.items.length - 1 && page.nextCursor === null;
        return { items, nextCursor: last ? null : encodeCursor({ phoneNumberId, userId: thread.userId }) };
      }
      if (page.nextCursor === null) return { items, nextCursor: null };
      position = page.nextCursor;
    }
    return { items, nextCursor: position ?? null };
  }
}

export class WhatsappThreadRepository extends WhatsappThreadReads {
  public apply: WhatsappThreadWrites['apply'];

  public constructor(table: RegisterStore, now: () => number = Date.now) {
    super(table, now);
    this.apply = whatsappThreadWrites(table).apply;
  }
}
