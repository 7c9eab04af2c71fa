import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Item, RegisterWrite, WriteOutcome } from '../../kernel/registers.js';
import { RegisterReader } from './register-reader.js';
import { RegisterWriter, type RegisterWrites, type RetentionOptions } from './register-writer.js';

export type { Page } from './register-reader.js';

/** Both sides of a register table, for functions that read and write it (actions, reconciliation, local mode). */
export class RegisterTable extends RegisterReader implements RegisterWrites {
  private readonly writer: RegisterWriter;

  public constructor(db: DynamoDBClient, tableName: string, retention: RetentionOptions = {}) {
    super(db, tableName, retention.now);
    this.writer = new RegisterWriter(db, tableName, retention);
  }

  public write(key: Item, write: RegisterWrite): Promise<WriteOutcome> {
    return this.writer.write(key, write);
  }

  /** The write, and the item before it when applied (local mode's stream). */
  public writeReturningOld(key: Item, write: RegisterWrite) {
    return this.writer.writeReturningOld(key, write, true);
  }
}
