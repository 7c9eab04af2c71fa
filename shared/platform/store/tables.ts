import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

export interface KeyDefinition {
  partitionKey: string;
  sortKey?: string;
}

export interface IndexDefinition extends KeyDefinition {
  name: string;
  /**
   * `keys`: the index holds only the keys (an index to find items by, e.g. a user's): a write that changes no
   * key costs the index nothing. Default: every attribute.
   */
  projection?: 'keys';
}

export interface TableDefinition extends KeyDefinition {
  indexes: IndexDefinition[];
  /**
   * Its items may name people: the table's TTL attribute is `RETAIN_UNTIL` (items expire when idle, tombstones
   * of erased users when no late event can come any more).
   */
  personalData?: boolean;
}

/**
 * The control table: Switchboard's own bookkeeping (reconciliation state and its lease, action leases,
 * idempotency records, ...), never Meta's state. Items that may lapse carry `expiresAt` (epoch seconds), the
 * table's TTL attribute. Each domain's table is defined in its manifest; the stack and local mode create both
 * from these same definitions.
 */
export const CONTROL_TABLE: TableDefinition = { partitionKey: 'pk', indexes: [] };

/** The control table's time-to-live attribute (epoch seconds). */
export const CONTROL_TTL_ATTRIBUTE = 'expiresAt';

/** The time-to-live attribute (epoch seconds) of a domain table whose items may name people. */
export { RETAIN_UNTIL } from '../../kernel/registers.js';

const keySchema = (definition: KeyDefinition) => [
  { AttributeName: definition.partitionKey, KeyType: 'HASH' as const },
  ...(definition.sortKey === undefined
    ? []
    : [{ AttributeName: definition.sortKey, KeyType: 'RANGE' as const }]),
];

/** CreateTable input for local mode and tests: the same keys and indexes as the stack. */
export const createTableInput = (tableName: string, definition: TableDefinition): CreateTableCommandInput => {
  const attributes = new Set<string>();
  for (const keys of [definition, ...definition.indexes]) {
    attributes.add(keys.partitionKey);
    if (keys.sortKey !== undefined) attributes.add(keys.sortKey);
  }
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attributes].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    KeySchema: keySchema(definition),
    ...(definition.indexes.length === 0
      ? {}
      : {
          GlobalSecondaryIndexes: definition.indexes.map((index) => ({
            IndexName: index.name,
            KeySchema: keySchema(index),
            Projection: { ProjectionType: index.projection === 'keys' ? 'KEYS_ONLY' : 'ALL' },
          })),
        }),
  };
};
