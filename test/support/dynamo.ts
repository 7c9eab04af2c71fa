import { afterAll, beforeAll } from 'vitest';
import { type LocalDynamo, startLocalDynamo } from '../../local/dynalite.js';
import { SolutionRepository } from '../../shared/domains/solutions/repository.js';
import { ThreadRepository } from '../../shared/domains/threads/repository.js';
import { WabaRepository } from '../../shared/domains/wabas/repository.js';
import { WhatsappThreadRepository } from '../../shared/domains/whatsapp-threads/repository.js';
import { ControlTable } from '../../shared/platform/store/control.js';
import { RegisterTable } from '../../shared/platform/store/register-table.js';

export { countDynamoRequests as countRequests } from '../../local/net.js';

export interface TestTables {
  dynamo: LocalDynamo;
  solutions: SolutionRepository;
  wabas: WabaRepository;
  threads: ThreadRepository;
  whatsappThreads: WhatsappThreadRepository;
  control: ControlTable;
}

/** Starts dynalite on loopback for the test file and creates the stack's tables. */
export const useLocalTables = (now: () => number = Date.now): TestTables => {
  const tables = {} as TestTables;
  beforeAll(async () => {
    tables.dynamo = await startLocalDynamo();
    tables.solutions = new SolutionRepository(
      new RegisterTable(tables.dynamo.client, tables.dynamo.tableNames.solutions),
    );
    tables.wabas = new WabaRepository(
      new RegisterTable(tables.dynamo.client, tables.dynamo.tableNames.wabas),
    );
    tables.threads = new ThreadRepository(
      new RegisterTable(tables.dynamo.client, tables.dynamo.tableNames.threads),
      now,
    );
    tables.whatsappThreads = new WhatsappThreadRepository(
      new RegisterTable(tables.dynamo.client, tables.dynamo.tableNames['whatsapp-threads']),
      now,
    );
    tables.control = new ControlTable(tables.dynamo.client, tables.dynamo.tableNames.control);
  });
  afterAll(async () => {
    await tables.dynamo?.close();
  });
  return tables;
};
