import {
  CreateSecretCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { SecretsManagerStore } from '../../shared/aws/secrets-manager-store.js';

const secrets = mockClient(SecretsManagerClient);
const store = () => new SecretsManagerStore(new SecretsManagerClient({ region: 'us-east-1' }));
const notFound = new ResourceNotFoundException({ message: 'not found', $metadata: {} });
const exists = new ResourceExistsException({ message: 'exists', $metadata: {} });

afterEach(() => secrets.reset());

describe('business tokens in Secrets Manager', () => {
  it('updates the customer\u2019s secret when it exists', async () => {
    secrets.on(PutSecretValueCommand).resolves({});
    expect(await store().put('Switchboard/business-tokens/1', '{"accessToken":"t"}')).toBe(
      'Switchboard/business-tokens/1',
    );
    expect(secrets.commandCalls(PutSecretValueCommand)[0]?.args[0].input).toEqual({
      SecretId: 'Switchboard/business-tokens/1',
      SecretString: '{"accessToken":"t"}',
    });
    expect(secrets.commandCalls(CreateSecretCommand)).toHaveLength(0);
  });

  it('creates it on first use', async () => {
    secrets.on(PutSecretValueCommand).rejects(notFound);
    secrets.on(CreateSecretCommand).resolves({});
    await store().put('Switchboard/business-tokens/2', 'v');
    expect(secrets.commandCalls(CreateSecretCommand)[0]?.args[0].input).toMatchObject({
      Name: 'Switchboard/business-tokens/2',
      SecretString: 'v',
    });
  });

  it('writes over it when another job created it first', async () => {
    secrets.on(PutSecretValueCommand).rejectsOnce(notFound).resolves({});
    secrets.on(CreateSecretCommand).rejects(exists);
    await store().put('Switchboard/business-tokens/3', 'v');
    expect(secrets.commandCalls(PutSecretValueCommand)).toHaveLength(2);
  });

  it('lets any other failure through, for the queue to retry', async () => {
    secrets.on(PutSecretValueCommand).rejects(new Error('AccessDenied'));
    await expect(store().put('x', 'v')).rejects.toThrow('AccessDenied');
  });
});
