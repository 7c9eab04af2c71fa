import {
  CreateSecretCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { SecretStore } from '../secrets/secret-store.js';

const named = (error: unknown, name: string) => error instanceof Error && error.name === name;

export interface SecretsManagerStoreOptions {
  /** A customer managed KMS key for the secrets (default: the account's Secrets Manager key). */
  kmsKeyId?: string;
  /** Tags on every secret this store creates (the stack that owns it). */
  tags?: Readonly<Record<string, string>>;
}

/**
 * One Secrets Manager secret per customer business. Secrets are created at run time, outside
 * CloudFormation, so each carries tags naming the stack and the business that it belongs to.
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
}
