import {
  type DynamoDBClient,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import {
  checkRegisterSize,
  classifyRejection,
  type Item,
  type RegisterWrite,
  registerOf,
  type WriteOutcome,
} from '../../kernel/registers.js';
import { toAttributes } from './attributes.js';
import { isConditionFailure } from './condition.js';
import type { RegisterWrites } from './ports.js';

export type { RegisterWrites } from './ports.js';

/**
 * The one conditional write per event: set the register (and the attributes it owns) only if the stored
 * register is older. Nothing is read first.
 */
export const registerUpdateInput = (
  tableName: string,
  key: Item,
  write: RegisterWrite,
): UpdateItemCommandInput => {
  checkRegisterSize(write);
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

/** Writes registers and nothing else, so a function that only applies events bundles (and may send) only UpdateItem. */
export class RegisterWriter implements RegisterWrites {
  public constructor(
    private readonly db: DynamoDBClient,
    public readonly tableName: string,
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
    try {
      const input = registerUpdateInput(this.tableName, key, write);
      const answer = await this.db.send(
        new UpdateItemCommand(returnOld ? { ...input, ReturnValues: 'ALL_OLD' } : input),
      );
      return {
        outcome: 'applied',
        before: answer.Attributes === undefined ? undefined : unmarshall(answer.Attributes),
      };
    } catch (error) {
      // A stale or duplicate event fails the condition: that is success, not an error.
      if (isConditionFailure(error)) {
        const old = error.Item;
        const outcome = classifyRejection(
          old === undefined ? undefined : registerOf(unmarshall(old), write.register),
          write.value,
        );
        return { outcome, before: undefined };
      }
      throw error;
    }
  }
}
