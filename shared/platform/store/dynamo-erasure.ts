import { type DynamoDBClient, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import {
  ERASED_BEFORE,
  erasureFloor,
  holdsRegisters,
  type Item,
  RETAIN_UNTIL,
} from '../../kernel/registers.js';
import { toAttributes } from './attributes.js';
import { isConditionFailure } from './condition.js';
import type { Erasure, ErasureStore } from './erasure.js';
import type { IndexDefinition, TableDefinition } from './tables.js';

/** The table's key of an item (its key attributes only). */
const keyOf = (table: TableDefinition, item: Item): Item => ({
  [table.partitionKey]: item[table.partitionKey],
  ...(table.sortKey === undefined ? {} : { [table.sortKey]: item[table.sortKey] }),
});

/** A domain table's erasure side in DynamoDB: `Query` on the user index and `PutItem` of tombstones. */
export class DynamoErasureStore implements ErasureStore {
  public constructor(
    private readonly db: DynamoDBClient,
    private readonly tableName: string,
    private readonly table: TableDefinition,
  ) {}

  public async keysByIndex(index: IndexDefinition, value: string): Promise<Item[]> {
    const keys: Item[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: index.name,
          KeyConditionExpression: '#k = :k',
          ExpressionAttributeNames: { '#k': index.partitionKey },
          ExpressionAttributeValues: { ':k': { S: value } },
          ...(start === undefined ? {} : { ExclusiveStartKey: toAttributes(start) }),
        }),
      );
      keys.push(...(out.Items ?? []).map((item) => keyOf(this.table, unmarshall(item))));
      start = out.LastEvaluatedKey === undefined ? undefined : unmarshall(out.LastEvaluatedKey);
    } while (start !== undefined);
    return keys;
  }

  public async tombstone(key: Item, erasure: Erasure): Promise<boolean> {
    const floor = erasureFloor(erasure.atMs);
    try {
      const { Attributes: old } = await this.db.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: toAttributes({ ...key, [ERASED_BEFORE]: floor, [RETAIN_UNTIL]: erasure.tombstonesUntil }),
          // A later erasure's tombstone stays (clocks of two functions may differ by a little).
          ConditionExpression: 'attribute_not_exists(#erased) OR #erased <= :floor',
          ExpressionAttributeNames: { '#erased': ERASED_BEFORE },
          ExpressionAttributeValues: toAttributes({ ':floor': floor }),
          ReturnValues: 'ALL_OLD',
        }),
      );
      return holdsRegisters(old === undefined ? undefined : unmarshall(old));
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
