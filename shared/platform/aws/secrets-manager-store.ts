import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { RECOVERY_WINDOW_DAYS, type SecretStore } from '../secrets/secret-store.js';
import { SecretsManagerReader } from './secrets-manager-reader.js';

const named = (error: unknown, name: string) => error instanceof Error && error.name === name;

export interface SecretsManagerStoreOptions {
  /** A customer managed KMS key for the secrets (default: the account's Secrets Manager key). */
  kmsKeyId?: string;
  /** Tags on every secret this store creates (the stack that owns it). */
  tags?: Readonly<Record<string, string>>;
}

/**
 * One Secrets Manager secret per customer business. Secrets are created at run time, outside
 * CloudFormation, so each carries tags naming the stack and the business that it belongs to. Deletion is
 * Secrets Manager's own: `DeleteSecret` with a recovery window, undone by `RestoreSecret` until it ends.
 */
export class SecretsManagerStore implements SecretStore {
  public constructor(
    private readonly client: SecretsManagerClient,
    private readonly options: SecretsManagerStoreOptions = {},
  ) {}

  public async put(
    name: string,
    value: string,
    tags: Readonly<Record<string, string>> = {},
  ): Promise<string> {
    try {
      await this.client.send(new PutSecretValueCommand({ SecretId: name, SecretString: value }));
      return name;
    } catch (error) {
      if (!named(error, 'ResourceNotFoundException')) throw error;
    }
    try {
      await this.client.send(
        new CreateSecretCommand({
          Name: name,
          SecretString: value,
          Description: 'Switchboard: a customer business token',
          ...(this.options.kmsKeyId === undefined ? {} : { KmsKeyId: this.options.kmsKeyId }),
          Tags: Object.entries({ ...this.options.tags, ...tags }).map(([Key, Value]) => ({ Key, Value })),
        }),
      );
    } catch (error) {
      // Another job created it first: write the value over it.
      if (!named(error, 'ResourceExistsException')) throw error;
      await this.client.send(new PutSecretValueCommand({ SecretId: name, SecretString: value }));
    }
    return name;
  }

  public get(name: string): Promise<string | undefined> {
    return new SecretsManagerReader(this.client).get(name);
  }

  public async scheduleDeletion(name: string, recoveryDays: number): Promise<number | undefined> {
    const days = Math.min(
      RECOVERY_WINDOW_DAYS.max,
      Math.max(RECOVERY_WINDOW_DAYS.min, Math.round(recoveryDays)),
    );
    try {
      const { DeletionDate } = await this.client.send(
        new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: days }),
      );
      return DeletionDate?.getTime();
    } catch (error) {
      if (named(error, 'ResourceNotFoundException')) return undefined;
      // Already scheduled: Secrets Manager refuses a second DeleteSecret; its date stands.
      if (!named(error, 'InvalidRequestException')) throw error;
      const { DeletedDate } = await this.client.send(new DescribeSecretCommand({ SecretId: name }));
      if (DeletedDate === undefined) throw error;
      return DeletedDate.getTime();
    }
  }

  public async restore(name: string): Promise<boolean> {
    try {
      await this.client.send(new RestoreSecretCommand({ SecretId: name }));
      return true;
    } catch (error) {
      if (named(error, 'ResourceNotFoundException')) return false;
      // Not scheduled for deletion: there is nothing to undo.
      if (named(error, 'InvalidRequestException')) return true;
      throw error;
    }
  }
}
