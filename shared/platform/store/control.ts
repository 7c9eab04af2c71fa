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
    return (await this.setIfReporting(pk, fields, condition, false)).set;
  }

  /** `setIf`, also answering the item as it was before a write that succeeded (`ReturnValues: ALL_OLD`). */
  private async setIfReporting(
    pk: string,
    fields: Item,
    condition?: { expression: string; names: Record<string, string>; values: Item },
    returnOld = true,
  ): Promise<{ set: false } | { set: true; previous: Item | undefined }> {
    const names: Record<string, string> = { ...condition?.names };
    const values: Item = { ...condition?.values };
    const sets = Object.entries(fields).map(([name, value], index) => {
      names[`#f${index}`] = name;
      values[`:f${index}`] = value;
      return `#f${index} = :f${index}`;
    });
    try {
      const answer = await this.db.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: marshall({ pk }),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ...(condition === undefined ? {} : { ConditionExpression: condition.expression }),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: marshall(values, { removeUndefinedValues: true }),
          ...(returnOld ? { ReturnValues: 'ALL_OLD' as const } : {}),
        }),
      );
      return {
        set: true,
        previous: answer.Attributes === undefined ? undefined : unmarshall(answer.Attributes),
      };
    } catch (error) {
      if (isConditionFailure(error)) return { set: false };
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
  public async acquireLease(
    pk: string,
    owner: string,
    until: number,
    now: number,
    expiresAt?: number,
  ): Promise<boolean> {
    return (await this.takeLease(pk, owner, until, now, expiresAt)).acquired;
  }

  /**
   * `acquireLease`, also saying whether it took over a lease another holder never gave back (`lapsed`): that
   * holder died mid-work (a crash, a timeout), and whatever it was doing may or may not have happened.
   */
  public async takeLease(
    pk: string,
    owner: string,
    until: number,
    now: number,
    expiresAt?: number,
  ): Promise<{ acquired: boolean; lapsed: boolean }> {
    const result = await this.setIfReporting(
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
    if (!result.set) return { acquired: false, lapsed: false };
    const holder = result.previous?.leaseOwner;
    return { acquired: true, lapsed: typeof holder === 'string' && holder !== owner };
  }

  /**
   * Creates the item with `fields` (its `expiresAt`, epoch seconds, included) unless one exists that has not
   * expired at `nowSeconds`: DynamoDB deletes expired items late, so an expired one counts as absent.
   */
  public async claim(pk: string, fields: Item & { expiresAt: number }, nowSeconds: number): Promise<boolean> {
    return (await this.claimReporting(pk, fields, nowSeconds)).claimed;
  }

  /** `claim`, also answering the expired item it replaced, if there was one. */
  public async claimReporting(
    pk: string,
    fields: Item & { expiresAt: number },
    nowSeconds: number,
  ): Promise<{ claimed: false } | { claimed: true; previous: Item | undefined }> {
    const result = await this.setIfReporting(pk, fields, {
      expression: 'attribute_not_exists(#ttl) OR #ttl < :now',
      names: { '#ttl': CONTROL_TTL_ATTRIBUTE },
      values: { ':now': nowSeconds },
    });
    return result.set ? { claimed: true, previous: result.previous } : { claimed: false };
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
