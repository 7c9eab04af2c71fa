import type { AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  type DynamoDBClientConfig,
  GetItemCommand,
  ListTablesCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { DOMAINS, type DomainName } from '../shared/domains/registry.js';
import type { DomainManifest } from '../shared/platform/domain/domain.js';
import { Telemetry } from '../shared/platform/observability/telemetry.js';
import { isConditionFailure } from '../shared/platform/store/condition.js';
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

export const localDynamoClient = (endpoint: string): DynamoDBClient => {
  const config = { endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS, maxAttempts: 3 };
  const client = new DynamoDBClient(config);
  returnOldItemOnConditionFailure(client, config);
  return client;
};

/**
 * DynamoDB answers a failed condition with the item as it was when the write asked for it
 * (`ReturnValuesOnConditionCheckFailure: ALL_OLD`, in the exception's `Item`): that is how a write tells a
 * stale event from a duplicate, a tombstone or an expired item without a read. Dynalite leaves it out, so local
 * mode fills it in with a consistent read on a client of its own (a request AWS does not make, uncounted).
 */
const returnOldItemOnConditionFailure = (client: DynamoDBClient, config: DynamoDBClientConfig): void => {
  let reader: DynamoDBClient | undefined;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        const input = args.input as Partial<UpdateItemCommandInput>;
        if (
          context.commandName === 'UpdateItemCommand' &&
          isConditionFailure(error) &&
          error.Item === undefined &&
          input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD'
        ) {
          reader ??= new DynamoDBClient(config);
          const { Item } = await reader.send(
            new GetItemCommand({ TableName: input.TableName, Key: input.Key, ConsistentRead: true }),
          );
          if (Item !== undefined) error.Item = Item;
        }
        throw error;
      }
    },
    { step: 'initialize', name: 'returnOldItemOnConditionFailure' },
  );
  const destroy = client.destroy.bind(client);
  client.destroy = () => {
    reader?.destroy();
    destroy();
  };
};

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

/**
 * A data folder's table may predate an index its definition has since gained (the threads table's `byUser`, used by
 * erasure). CloudFormation adds such an index to a deployed table; dynalite cannot (its UpdateTable implements no
 * index creation), and rebuilding the table here could lose local data to a crash: local mode says so instead.
 */
const warnOfMissingIndexes = async (
  client: DynamoDBClient,
  tableName: string,
  definition: TableDefinition,
) => {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const present = new Set((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
  const missing = definition.indexes.filter((index) => !present.has(index.name)).map((index) => index.name);
  if (missing.length > 0)
    new Telemetry('local').logger.warn(
      `table ${tableName} predates its index ${missing.join(', ')}: what needs it (erasure) fails until the data folder's dynamodb/ is removed and the table recreated`,
    );
};

/** Creates the tables not there yet from the same definitions the CDK stack uses. */
export const createMissingTables = async (
  client: DynamoDBClient,
  tableNames: Partial<Record<string, string>>,
  domains: readonly Pick<DomainManifest, 'name' | 'table'>[] = DOMAINS,
) => {
  const existing = new Set((await client.send(new ListTablesCommand({}))).TableNames ?? []);
  for (const [name, definition] of Object.entries(definitionsOf(domains))) {
    const tableName = tableNames[name];
    if (tableName === undefined) continue;
    if (existing.has(tableName)) await warnOfMissingIndexes(client, tableName, definition);
    else await client.send(new CreateTableCommand(createTableInput(tableName, definition)));
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
