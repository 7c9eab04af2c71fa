import type { WriteOutcome } from '../../kernel/registers.js';
import {
  type Page,
  projectPage,
  type RegisterReads,
  type RegisterStore,
  type RegisterWrites,
} from '../../platform/store/ports.js';
import { solutionsManifest } from './manifest.js';
import {
  projectSolution,
  type Solution,
  type SolutionEvent,
  solutionKey,
  solutionWrite,
} from './solution.js';

/**
 * The solutions table: the write side (apply an event: one conditional write) for the consumer, the read side
 * (the projected read model) for the API, both for actions and reconciliation.
 */
export const solutionWrites = (writer: RegisterWrites) => ({
  apply: (event: SolutionEvent): Promise<WriteOutcome> =>
    writer.write(solutionKey(event.solutionId), solutionWrite(event)),
});
export type SolutionWrites = ReturnType<typeof solutionWrites>;

export class SolutionReads {
  public constructor(public readonly table: RegisterReads) {}

  public async get(solutionId: string): Promise<Solution | undefined> {
    return projectSolution(await this.table.get(solutionKey(solutionId)));
  }

  public async list(limit: number, cursor?: string): Promise<Page<Solution>> {
    return projectPage(
      await this.table.scanPage(limit, cursor, [solutionsManifest.table.partitionKey]),
      projectSolution,
    );
  }
}

export class SolutionRepository extends SolutionReads {
  public apply: SolutionWrites['apply'];

  public constructor(table: RegisterStore) {
    super(table);
    this.apply = solutionWrites(table).apply;
  }
}
