import { type DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { Item } from '../../kernel/registers.js';
import { isConditionFailure } from './condition.js';
import { CONTROL_TTL_ATTRIBUTE } from './tables.js';

/**
 * Switchboard's own bookkeeping in the control table: small items by key, and leases. A lease is two
 * attributes on an item (`leaseOwner`, `leaseUntil` in epoch ms) taken with one conditional write, so two
 * holders can never overlap whatever the number of processes; an expired lease (its holder crashed) is
 * free again.
 */
export class ControlTable {
  public constructor(
    private readonly db: DynamoDBClient,
    public readonly tableName: string,
  ) {}

  public async get(pk: string): Promise<Item | undefined> {
    const { Item: item } = await this.db.send(
      new GetItemCommand({ TableName: this.tableName, Key: marshall({ pk }), ConsistentRead: true }),
    );
    return item === undefined ? undefined : unmarshall(item);
  }

  /**
   * Sets `fields` (top-level attributes) on the item, creating it, if `condition` holds (its names and values
   * given beside it); false when it does not.
   */
  private async setIf(
    pk: string,
    fields: Item,
    condition?: { expression: string; names: Record<string, string>; values: Item },
  ): Promise<boolean> {
    const names: Record<string, string> = { ...condition?.names };
    const values: Item = { ...condition?.values };
    const sets = Object.entries(fields).map(([name, value], index) => {
      names[`#f${index}`] = name;
      values[`:f${index}`] = value;
      return `#f${index} = :f${index}`;
    });
    try {
      await this.db.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: marshall({ pk }),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ...(condition === undefined ? {} : { ConditionExpression: condition.expression }),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: marshall(values, { removeUndefinedValues: true }),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Sets top-level attributes of an item (creating it), only while `owner` holds its lease when given. */
  public set(pk: string, fields: Item, owner?: string): Promise<boolean> {
    return this.setIf(
      pk,
      fields,
      owner === undefined
        ? undefined
        : { expression: '#owner = :owner', names: { '#owner': 'leaseOwner' }, values: { ':owner': owner } },
    );
  }

  /**
   * Takes the item's lease until `until` (epoch ms) unless another holder's lease is still running. With
   * `expiresAt` (epoch seconds) the item itself lapses then (TTL), for leases on many short-lived keys.
   */
  public acquireLease(
    pk: string,
    owner: string,
    until: number,
    now: number,
    expiresAt?: number,
  ): Promise<boolean> {
    return this.setIf(
      pk,
      {
        leaseOwner: owner,
        leaseUntil: until,
        ...(expiresAt === undefined ? {} : { [CONTROL_TTL_ATTRIBUTE]: expiresAt }),
      },
      {
        expression: 'attribute_not_exists(#until) OR #until < :now OR #owner = :owner',
        names: { '#owner': 'leaseOwner', '#until': 'leaseUntil' },
        values: { ':owner': owner, ':now': now },
      },
    );
  }

  /**
   * Creates the item with `fields` (its `expiresAt`, epoch seconds, included) unless one exists that has not
   * expired at `nowSeconds`: DynamoDB deletes expired items late, so an expired one counts as absent.
   */
  public claim(pk: string, fields: Item & { expiresAt: number }, nowSeconds: number): Promise<boolean> {
    return this.setIf(pk, fields, {
      expression: 'attribute_not_exists(#ttl) OR #ttl < :now',
      names: { '#ttl': CONTROL_TTL_ATTRIBUTE },
      values: { ':now': nowSeconds },
    });
  }

  /**
   * Marks the item expired as of `nowSeconds`: `claim` takes it again at once and TTL removes it (no DeleteItem
   * grant needed). A real instant, not 0: TTL is documented for recent expiries, not ones decades past.
   */
  public async expire(pk: string, nowSeconds: number): Promise<void> {
    await this.set(pk, { [CONTROL_TTL_ATTRIBUTE]: nowSeconds - 1 });
  }

  /** Gives the lease back (only the holder can); a lease that lapsed meanwhile is left to its new holder. */
  public async releaseLease(pk: string, owner: string): Promise<void> {
    try {
      await this.db.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: marshall({ pk }),
          UpdateExpression: 'REMOVE #owner, #until',
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'leaseOwner', '#until': 'leaseUntil' },
          ExpressionAttributeValues: marshall({ ':owner': owner }),
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}
