import { SolutionRepository } from '../shared/domains/solutions/repository.js';
import { ThreadRepository } from '../shared/domains/threads/repository.js';
import { WabaRepository } from '../shared/domains/wabas/repository.js';
import { WhatsappThreadRepository } from '../shared/domains/whatsapp-threads/repository.js';
import type { RegisterStore } from '../shared/platform/store/ports.js';

/** Repositories over local mode's tables, for tests and benchmarks that read or seed state directly. */
export interface DomainRepositories {
  solutions: SolutionRepository;
  wabas: WabaRepository;
  threads: ThreadRepository;
  whatsappThreads: WhatsappThreadRepository;
}

export const domainRepositories = (
  tables: Readonly<Record<string, RegisterStore>>,
  now: () => number,
): DomainRepositories => {
  const table = (name: string): RegisterStore => {
    const found = tables[name];
    if (found === undefined) throw new Error(`no local table ${name}`);
    return found;
  };
  return {
    solutions: new SolutionRepository(table('solutions')),
    wabas: new WabaRepository(table('wabas'), now),
    threads: new ThreadRepository(table('threads'), now),
    whatsappThreads: new WhatsappThreadRepository(table('whatsapp-threads'), now),
  };
};
