import {
  type AttributeValue,
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import {
  classifyRejection,
  type Item,
  type Register,
  type RegisterWrite,
  registerOf,
  type WriteOutcome,
} from '../domain/registers.js';
import { BadRequestError } from '../errors.js';
import { sleep } from '../util/async.js';

const toAttributes = (value: Item): Record<string, AttributeValue> =>
  marshall(value, { removeUndefinedValues: true });

/**
 * The one conditional write per event: set the register (and the attributes it owns) only if the stored
 * register is older. Nothing is read first.
 */
export const registerUpdateInput = (
  tableName: string,
  key: Item,
  write: RegisterWrite,
): UpdateItemCommandInput => {
  const names: Record<string, string> = { '#r': write.register, '#v': 'v' };
  const values: Item = { ':r': write.value, ':v': write.value.v };
  const sets = ['#r = :r'];
  Object.entries(write.owned ?? {}).forEach(([name, value], index) => {
    names[`#o${index}`] = name;
    values[`:o${index}`] = value;
    sets.push(`#o${index} = :o${index}`);
  });
  Object.entries(write.ifAbsent ?? {}).forEach(([name, value], index) => {
    names[`#a${index}`] = name;
    values[`:a${index}`] = value;
    sets.push(`#a${index} = if_not_exists(#a${index}, :a${index})`);
  });
  return {
    TableName: tableName,
    Key: toAttributes(key),
    UpdateExpression: `SET ${sets.join(', ')}`,
    ConditionExpression: 'attribute_not_exists(#r) OR #r.#v < :v',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: toAttributes(values),
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
};

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const encodeCursor = (key: Record<string, AttributeValue> | undefined): string | null =>
  key === undefined ? null : Buffer.from(JSON.stringify(unmarshall(key))).toString('base64url');

const decodeCursor = (cursor: string | undefined): Record<string, AttributeValue> | undefined => {
  if (cursor === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('not an object');
    return toAttributes(parsed as Item);
  } catch {
    throw new BadRequestError('cursor is not one this API returned');
  }
};

/** A DynamoDB table of register items, behind the repositories. */
export class RegisterTable {
  public constructor(
    private readonly db: DynamoDBClient,
    public readonly tableName: string,
  ) {}

  public async write(key: Item, write: RegisterWrite): Promise<WriteOutcome> {
    try {
      await this.db.send(new UpdateItemCommand(registerUpdateInput(this.tableName, key, write)));
      return 'applied';
    } catch (error) {
      // A stale or duplicate event fails the condition: that is success, not an error.
      if (
        error instanceof ConditionalCheckFailedException ||
        (error as Error).name === 'ConditionalCheckFailedException'
      ) {
        const old = (error as ConditionalCheckFailedException).Item;
        const stored = old === undefined ? undefined : registerOf(unmarshall(old), write.register);
        return classifyRejection(stored as Register | undefined, write.value);
      }
      throw error;
    }
  }

  public async get(key: Item): Promise<Item | undefined> {
    const { Item: item } = await this.db.send(
      new GetItemCommand({ TableName: this.tableName, Key: toAttributes(key), ConsistentRead: true }),
    );
    return item === undefined ? undefined : unmarshall(item);
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
        items.push(...(out.Responses?.[this.tableName] ?? []).map((item) => unmarshall(item)));
        request = out.UnprocessedKeys?.[this.tableName]?.Keys;
      }
    }
    return items;
  }

  public async scanPage(limit: number, cursor: string | undefined): Promise<Page<Item>> {
    const out = await this.db.send(
      new ScanCommand({ TableName: this.tableName, Limit: limit, ExclusiveStartKey: decodeCursor(cursor) }),
    );
    return {
      items: (out.Items ?? []).map((item) => unmarshall(item)),
      nextCursor: encodeCursor(out.LastEvaluatedKey),
    };
  }

  public async queryIndexPage(
    indexName: string,
    keyName: string,
    keyValue: string,
    limit: number,
    cursor: string | undefined,
  ): Promise<Page<Item>> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: indexName,
        KeyConditionExpression: '#k = :k',
        ExpressionAttributeNames: { '#k': keyName },
        ExpressionAttributeValues: { ':k': { S: keyValue } },
        Limit: limit,
        ExclusiveStartKey: decodeCursor(cursor),
      }),
    );
    return {
      items: (out.Items ?? []).map((item) => unmarshall(item)),
      nextCursor: encodeCursor(out.LastEvaluatedKey),
    };
  }
}
