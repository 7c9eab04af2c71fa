import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

export interface KeyDefinition {
  partitionKey: string;
  sortKey?: string;
}

export interface TableDefinition extends KeyDefinition {
  indexes: IndexDefinition[];
}

export interface IndexDefinition extends KeyDefinition {
  name: string;
  /**
   * The index holds the keys only: a write that changes no key of it costs no index write (an index of every item
   * of a busy table would otherwise double its write cost). All attributes are projected otherwise.
   */
  keysOnly?: boolean;
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
            Projection: { ProjectionType: index.keysOnly === true ? 'KEYS_ONLY' : 'ALL' },
          })),
        }),
  };
};
