import {
  CreateSecretCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { SecretStore } from '../actions/business-tokens.js';

const named = (error: unknown, name: string) => error instanceof Error && error.name === name;

/** One Secrets Manager secret per customer business, encrypted with the account's Secrets Manager key. */
export class SecretsManagerStore implements SecretStore {
  public constructor(private readonly client: SecretsManagerClient) {}

  public async put(name: string, value: string): Promise<string> {
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
