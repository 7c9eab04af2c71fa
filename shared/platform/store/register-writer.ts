import {
  type DynamoDBClient,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import {
  checkRegisterSize,
  classifyRejection,
  compact,
  ERASED_BEFORE,
  type Item,
  RETAIN_UNTIL,
  type RegisterWrite,
  registerOf,
  type WriteOutcome,
} from '../../kernel/registers.js';
import { toAttributes } from './attributes.js';
import { isConditionFailure } from './condition.js';
import type { RegisterWrites } from './ports.js';

export type { RegisterWrites } from './ports.js';

/** How a table's items that name a person live (`RegisterWrite.expiresWhenIdle`). */
export interface RetentionOptions {
  /** Such an item expires this many seconds after its last applied write; unset, it never expires. */
  idleSeconds?: number;
  /** The clock of the writes' and reads' expiry (epoch ms). */
  now?: () => number;
}

/** The life of one write: its item counts as absent once expired, and (with an idle period) lives on. */
interface WriteLife {
  nowSeconds: number;
  retainUntil: number | undefined;
}

/**
 * The one conditional write per event: set the register (and the attributes it owns) only if the stored
 * register is older and no tombstone covers the event (`ERASED_BEFORE`, in the same item). An item that names
 * a person must also not have expired, and the write keeps it alive an idle period longer. Nothing is read.
 */
export const registerUpdateInput = (
  tableName: string,
  key: Item,
  write: RegisterWrite,
  life?: WriteLife,
): UpdateItemCommandInput => {
  checkRegisterSize(write);
  const names: Record<string, string> = { '#r': write.register, '#v': 'v', '#erased': ERASED_BEFORE };
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
  const conditions = [
    '(attribute_not_exists(#r) OR #r.#v < :v)',
    '(attribute_not_exists(#erased) OR #erased < :v)',
  ];
  let remove = '';
  if (life !== undefined) {
    names['#ttl'] = RETAIN_UNTIL;
    values[':now'] = life.nowSeconds;
    conditions.push('(attribute_not_exists(#ttl) OR #ttl >= :now)');
    if (life.retainUntil === undefined) remove = ' REMOVE #ttl';
    else {
      values[':ttl'] = life.retainUntil;
      sets.push('#ttl = :ttl');
    }
  }
  return {
    TableName: tableName,
    Key: toAttributes(key),
    UpdateExpression: `SET ${sets.join(', ')}${remove}`,
    ConditionExpression: conditions.join(' AND '),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: toAttributes(values),
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
};

/** Why an item refused a write: a tombstone, or the register (stale or duplicate). */
const rejectionOf = (old: Item | undefined, write: RegisterWrite): WriteOutcome => {
  const floor = old?.[ERASED_BEFORE];
  if (typeof floor === 'string' && write.value.v <= floor) return 'erased';
  return classifyRejection(registerOf(old, write.register), write.value);
};

/** Writes registers and nothing else, so a function that only applies events bundles (and may send) only UpdateItem. */
export class RegisterWriter implements RegisterWrites {
  public constructor(
    private readonly db: DynamoDBClient,
    public readonly tableName: string,
    private readonly retention: RetentionOptions = {},
  ) {}

  public async write(key: Item, write: RegisterWrite): Promise<WriteOutcome> {
    return (await this.writeReturningOld(key, write)).outcome;
  }

  /**
   * The same one write, also answering the item as it was before an applied write (`ReturnValues: ALL_OLD`
   * costs no extra request): local mode's stream derives the item after it in memory (`applyRegisterWrite`).
   */
  public async writeReturningOld(
    key: Item,
    write: RegisterWrite,
    returnOld = false,
  ): Promise<{ outcome: WriteOutcome; before: Item | undefined }> {
    const life = this.lifeOf(write);
    try {
      const input = registerUpdateInput(this.tableName, key, write, life);
      const answer = await this.db.send(
        new UpdateItemCommand(returnOld ? { ...input, ReturnValues: 'ALL_OLD' } : input),
      );
      return {
        outcome: 'applied',
        before: answer.Attributes === undefined ? undefined : unmarshall(answer.Attributes),
      };
    } catch (error) {
      // A stale or duplicate event fails the condition: that is success, not an error.
      if (!isConditionFailure(error)) throw error;
      const old = error.Item === undefined ? undefined : unmarshall(error.Item);
      const until = old?.[RETAIN_UNTIL];
      if (old !== undefined && life !== undefined && typeof until === 'number' && until < life.nowSeconds)
        return this.replaceExpired(key, write, life, old, returnOld);
      return { outcome: rejectionOf(old, write), before: undefined };
    }
  }

  private lifeOf(write: RegisterWrite): WriteLife | undefined {
    if (write.expiresWhenIdle !== true) return undefined;
    const nowSeconds = Math.floor((this.retention.now ?? Date.now)() / 1000);
    const idle = this.retention.idleSeconds;
    return { nowSeconds, retainUntil: idle === undefined ? undefined : nowSeconds + idle };
  }

  /**
   * An expired item TTL has not deleted yet is rewritten whole, as if it were gone: the write applies to
   * nothing, exactly as after the deletion, whenever DynamoDB gets to it. Still one UpdateItem (its other
   * attributes removed), and only while it is the same expired item; else the write is tried again on what
   * replaced it. Rare: once per expired item written to.
   */
  private async replaceExpired(
    key: Item,
    write: RegisterWrite,
    life: WriteLife,
    old: Item,
    returnOld: boolean,
  ): Promise<{ outcome: WriteOutcome; before: Item | undefined }> {
    const fields: Item = { ...write.ifAbsent, [write.register]: compact(write.value), ...write.owned };
    if (life.retainUntil !== undefined) fields[RETAIN_UNTIL] = life.retainUntil;
    const names: Record<string, string> = { '#ttl': RETAIN_UNTIL };
    const values: Item = { ':expired': old[RETAIN_UNTIL] };
    const sets = Object.entries(fields).map(([name, value], index) => {
      names[`#s${index}`] = name;
      values[`:s${index}`] = value;
      return `#s${index} = :s${index}`;
    });
    const removes = Object.keys(old)
      .filter((name) => !(name in key) && !(name in fields))
      .map((name, index) => {
        names[`#x${index}`] = name;
        return `#x${index}`;
      });
    try {
      await this.db.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: toAttributes(key),
          UpdateExpression: `SET ${sets.join(', ')}${removes.length === 0 ? '' : ` REMOVE ${removes.join(', ')}`}`,
          ConditionExpression: '#ttl = :expired',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: toAttributes(values),
        }),
      );
      return { outcome: 'applied', before: undefined };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return this.writeReturningOld(key, write, returnOld);
    }
  }
}
