import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SecretStore } from '../secrets/secret-store.js';

const named = (error: unknown, name: string) => error instanceof Error && error.name === name;

/**
 * A secret store that only reads (reconciliation verifies onboardings with the customers' business tokens; it
 * never creates, changes or deletes one): its code can send `GetSecretValue` alone, as its role allows. A write
 * is a programming error, named as such.
 */
export class SecretsManagerReader implements SecretStore {
  public constructor(private readonly client: SecretsManagerClient) {}

  public async get(name: string): Promise<string | undefined> {
    try {
      const { SecretString } = await this.client.send(new GetSecretValueCommand({ SecretId: name }));
      return SecretString;
    } catch (error) {
      // Never created, deleted, or scheduled for deletion: there is no token to use.
      if (named(error, 'ResourceNotFoundException') || named(error, 'InvalidRequestException'))
        return undefined;
      throw error;
    }
  }

  public put(): Promise<string> {
    return Promise.reject(new Error('this secret store only reads'));
  }

  public scheduleDeletion(): Promise<number | undefined> {
    return Promise.reject(new Error('this secret store only reads'));
  }

  public restore(): Promise<boolean> {
    return Promise.reject(new Error('this secret store only reads'));
  }
}
