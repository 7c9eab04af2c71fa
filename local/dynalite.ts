import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { DOMAINS, type DomainName } from '../shared/domains/registry.js';
import type { DomainManifest } from '../shared/platform/domain/domain.js';
import { CONTROL_TABLE, createTableInput, type TableDefinition } from '../shared/platform/store/tables.js';
import { refuseBrowsers } from './net.js';

export interface LocalDynamo {
  endpoint: string;
  client: DynamoDBClient;
  /** Each domain's table name by domain name, and `control`. */
  tableNames: TableNames;
  close(): Promise<void>;
}

/** The tables local mode creates: each domain's and the control table, from the stack's definitions. */
const definitionsOf = (
  domains: readonly Pick<DomainManifest, 'name' | 'table'>[],
): Record<string, TableDefinition> => ({
  ...Object.fromEntries(domains.map((domain) => [domain.name, domain.table])),
  control: CONTROL_TABLE,
});

/** Table names by domain name (the registry's are always there) and `control`. */
export type TableNames = Record<DomainName | 'control', string> & Partial<Record<string, string>>;

export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export const localDynamoClient = (endpoint: string): DynamoDBClient =>
  new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS, maxAttempts: 3 });

/** The local tables' names: the stack's tables under one prefix. */
export const localTableNames = (
  prefix: string,
  domains: readonly Pick<DomainManifest, 'name'>[] = DOMAINS,
): TableNames =>
  Object.fromEntries(
    [...DOMAINS, ...domains]
      .map((domain) => domain.name)
      .concat('control')
      .map((name) => [name, `${prefix}-${name}`]),
  ) as TableNames;

/** Creates the tables not there yet from the same definitions the CDK stack uses. */
export const createMissingTables = async (
  client: DynamoDBClient,
  tableNames: Partial<Record<string, string>>,
  domains: readonly Pick<DomainManifest, 'name' | 'table'>[] = DOMAINS,
) => {
  const existing = new Set((await client.send(new ListTablesCommand({}))).TableNames ?? []);
  for (const [name, definition] of Object.entries(definitionsOf(domains))) {
    const tableName = tableNames[name];
    if (tableName !== undefined && !existing.has(tableName))
      await client.send(new CreateTableCommand(createTableInput(tableName, definition)));
  }
};

/**
 * Starts dynalite on 127.0.0.1 (a folder keeps the data across restarts; none keeps it in memory) and
 * creates the stack's tables from the same definitions the CDK stack uses.
 */
export const startLocalDynamo = async (
  options: {
    path?: string;
    port?: number;
    prefix?: string;
    domains?: readonly Pick<DomainManifest, 'name' | 'table'>[];
  } = {},
): Promise<LocalDynamo> => {
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.path ? { path: options.path } : {}),
  });
  // Only local mode's own clients: a web page that finds the port must not read the tables (PSIDs).
  refuseBrowsers(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = localDynamoClient(endpoint);
  const domains = options.domains ?? DOMAINS;
  const tableNames = localTableNames(options.prefix ?? 'switchboard', domains);
  await createMissingTables(client, tableNames, domains);
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
