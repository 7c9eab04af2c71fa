import type { Item, WriteOutcome } from '../../kernel/registers.js';
import type { Page, RegisterReads, RegisterStore } from '../../platform/store/ports.js';
import { ONBOARDING_INDEX } from './manifest.js';
import { type OnboardingRegister, type OnboardingState, onboardingWrite } from './model.js';

/** The WABA item's key: onboarding lives in the WABAs table, beside the registers of the WABA's events. */
const wabaKey = (wabaId: string): Item => ({ wabaId });

/** Onboarding's reads of the WABAs table: WABA items, and its index of onboardings by overall state. */
export class OnboardingReads {
  public constructor(protected readonly table: RegisterReads) {}

  public read(wabaId: string): Promise<Item | undefined> {
    return this.table.get(wabaKey(wabaId));
  }

  /** Eventually consistent: for reconciliation and the business's other WABAs. */
  public items(wabaIds: readonly string[]): Promise<Item[]> {
    return wabaIds.length === 0 ? Promise.resolve([]) : this.table.batchGet(wabaIds.map(wabaKey));
  }

  public listByState(state: OnboardingState, limit: number, cursor?: string): Promise<Page<Item>> {
    return this.table.queryIndexPage(
      {
        name: ONBOARDING_INDEX.name,
        keyName: ONBOARDING_INDEX.partitionKey,
        keyNames: [ONBOARDING_INDEX.partitionKey, ONBOARDING_INDEX.sortKey, 'wabaId'],
      },
      state,
      limit,
      cursor,
    );
  }
}

/** And its one write: the onboarding register (one conditional write per step outcome). */
export class OnboardingStore extends OnboardingReads {
  public constructor(private readonly store: RegisterStore) {
    super(store);
  }

  public write(wabaId: string, register: OnboardingRegister): Promise<WriteOutcome> {
    return this.store.write(wabaKey(wabaId), onboardingWrite(register));
  }
}
