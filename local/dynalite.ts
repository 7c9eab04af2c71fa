import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { createTableInput, TABLES, type TableName } from '../shared/platform/store/tables.js';

export interface LocalDynamo {
  endpoint: string;
  client: DynamoDBClient;
  tableNames: Record<TableName, string>;
  close(): Promise<void>;
}

export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export const localDynamoClient = (endpoint: string): DynamoDBClient =>
  new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS, maxAttempts: 3 });

/** The local tables' names: the stack's tables under one prefix. */
export const localTableNames = (prefix: string): Record<TableName, string> => ({
  solutions: `${prefix}-solutions`,
  wabas: `${prefix}-wabas`,
  threads: `${prefix}-threads`,
  control: `${prefix}-control`,
});

/** Creates the tables not there yet from the same definitions the CDK stack uses. */
export const createMissingTables = async (client: DynamoDBClient, tableNames: Record<TableName, string>) => {
  const existing = new Set((await client.send(new ListTablesCommand({}))).TableNames ?? []);
  for (const [name, definition] of Object.entries(TABLES) as [TableName, (typeof TABLES)[TableName]][]) {
    if (!existing.has(tableNames[name]))
      await client.send(new CreateTableCommand(createTableInput(tableNames[name], definition)));
  }
};

/**
 * Starts dynalite on 127.0.0.1 (a folder keeps the data across restarts; none keeps it in memory) and
 * creates the stack's tables from the same definitions the CDK stack uses.
 */
export const startLocalDynamo = async (
  options: { path?: string; port?: number; prefix?: string } = {},
): Promise<LocalDynamo> => {
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.path ? { path: options.path } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = localDynamoClient(endpoint);
  const tableNames = localTableNames(options.prefix ?? 'switchboard');
  await createMissingTables(client, tableNames);
  return {
    endpoint,
    client,
    tableNames,
    // The server first: it lets requests in flight finish before dynalite closes its database, then the
    // client. The other way round, a request cut off between two database steps meets a closed database and
    // dynalite throws that outside any callback (an uncaught "Database is closed").
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          client.destroy();
          resolve();
        });
      }),
  };
};
