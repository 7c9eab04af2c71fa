import {
  type AttributeValue,
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { sleep } from '../../kernel/async.js';
import { type Item, liveItem } from '../../kernel/registers.js';
import { toAttributes } from './attributes.js';
import { encodeCursor, keyFromCursor } from './cursor.js';
import type { Page, PartitionQuery, RegisterReads } from './ports.js';

export type { Page, RegisterReads } from './ports.js';

const nextCursorOf = (key: Record<string, AttributeValue> | undefined): string | null =>
  key === undefined ? null : encodeCursor(unmarshall(key));

const startKey = (
  cursor: string | undefined,
  keyNames: readonly string[],
  fixed?: Record<string, string>,
  isKeyValue?: (value: unknown) => boolean,
): Record<string, AttributeValue> | undefined =>
  cursor === undefined ? undefined : toAttributes(keyFromCursor(cursor, keyNames, fixed, isKeyValue));

/**
 * The read side of a register table. An item that holds no register (a tombstone) or has expired (TTL deletes
 * late) reads as absent: `liveItem`, at the clock given.
 */
export class RegisterReader implements RegisterReads {
  public constructor(
    private readonly db: DynamoDBClient,
    public readonly tableName: string,
    private readonly now: () => number = Date.now,
  ) {}

  private live(items: readonly Record<string, AttributeValue>[]): Item[] {
    const nowSeconds = Math.floor(this.now() / 1000);
    return items.flatMap((item): Item[] => {
      const live = liveItem(unmarshall(item), nowSeconds);
      return live === undefined ? [] : [live];
    });
  }

  public async get(key: Item): Promise<Item | undefined> {
    const { Item: item } = await this.db.send(
      new GetItemCommand({ TableName: this.tableName, Key: toAttributes(key), ConsistentRead: true }),
    );
    return item === undefined ? undefined : this.live([item])[0];
  }

  /** Reads many items (100 per request), retrying unprocessed keys. Eventually consistent: for reconciliation. */
  public async batchGet(keys: readonly Item[]): Promise<Item[]> {
    const items: Item[] = [];
    for (let start = 0; start < keys.length; start += 100) {
      let request: Record<string, AttributeValue>[] | undefined = keys
        .slice(start, start + 100)
        .map(toAttributes);
      for (let attempt = 0; request !== undefined && request.length > 0; attempt++) {
        if (attempt > 0) await sleep(Math.min(1_000, 25 * 2 ** attempt));
        if (attempt > 8) throw new Error(`${this.tableName}: batch read kept returning unprocessed keys`);
        const out: BatchGetItemCommandOutput = await this.db.send(
          new BatchGetItemCommand({ RequestItems: { [this.tableName]: { Keys: request } } }),
        );
        items.push(...this.live(out.Responses?.[this.tableName] ?? []));
        request = out.UnprocessedKeys?.[this.tableName]?.Keys;
      }
    }
    return items;
  }

  public async scanPage(
    limit: number,
    cursor: string | undefined,
    keyNames: readonly string[],
  ): Promise<Page<Item>> {
    const out = await this.db.send(
      new ScanCommand({
        TableName: this.tableName,
        Limit: limit,
        ExclusiveStartKey: startKey(cursor, keyNames),
      }),
    );
    return {
      items: this.live(out.Items ?? []),
      nextCursor: nextCursorOf(out.LastEvaluatedKey),
    };
  }

  public async queryIndexPage(
    index: PartitionQuery,
    keyValue: string,
    limit: number,
    cursor: string | undefined,
  ): Promise<Page<Item>> {
    const { name: indexName, keyName, isKeyValue } = index;
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: indexName,
        KeyConditionExpression: '#k = :k',
        ExpressionAttributeNames: { '#k': keyName },
        ExpressionAttributeValues: { ':k': { S: keyValue } },
        Limit: limit,
        ExclusiveStartKey: startKey(cursor, index.keyNames, { [keyName]: keyValue }, isKeyValue),
      }),
    );
    return {
      items: this.live(out.Items ?? []),
      nextCursor: nextCursorOf(out.LastEvaluatedKey),
    };
  }
}
