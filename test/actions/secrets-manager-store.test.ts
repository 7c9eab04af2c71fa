import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidRequestException,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  RestoreSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { SecretsManagerStore } from '../../shared/platform/aws/secrets-manager-store.js';

const secrets = mockClient(SecretsManagerClient);
const store = () => new SecretsManagerStore(new SecretsManagerClient({ region: 'us-east-1' }));
const notFound = new ResourceNotFoundException({ message: 'not found', $metadata: {} });
const exists = new ResourceExistsException({ message: 'exists', $metadata: {} });
const markedForDeletion = new InvalidRequestException({
  message: "You can't perform this operation on the secret because it was marked for deletion.",
  $metadata: {},
});

afterEach(() => secrets.reset());
// The test files share a worker's modules: give the client back as it was.
afterAll(() => secrets.restore());

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

  it('creates it tagged with the stack and the business, under the customer key when one is given', async () => {
    secrets.on(PutSecretValueCommand).rejects(notFound);
    secrets.on(CreateSecretCommand).resolves({});
    const tagged = new SecretsManagerStore(new SecretsManagerClient({ region: 'us-east-1' }), {
      kmsKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      tags: { 'switchboard:stack': 'Switchboard' },
    });
    await tagged.put('Switchboard/business-tokens/4', 'v', { 'switchboard:business': '4' });
    expect(secrets.commandCalls(CreateSecretCommand)[0]?.args[0].input).toMatchObject({
      KmsKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      Tags: [
        { Key: 'switchboard:stack', Value: 'Switchboard' },
        { Key: 'switchboard:business', Value: '4' },
      ],
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

  it('schedules deletion with Secrets Manager\u2019s recovery window, kept within its 7 to 30 days', async () => {
    const date = new Date('2027-01-30T00:00:00Z');
    secrets.on(DeleteSecretCommand).resolves({ DeletionDate: date });
    expect(await store().scheduleDeletion('Switchboard/business-tokens/5', 30)).toBe(date.getTime());
    await store().scheduleDeletion('Switchboard/business-tokens/5', 90);
    await store().scheduleDeletion('Switchboard/business-tokens/5', 1);
    expect(
      secrets.commandCalls(DeleteSecretCommand).map((call) => call.args[0].input.RecoveryWindowInDays),
    ).toEqual([30, 30, 7]);
  });

  it('keeps the date of a deletion already scheduled, and answers nothing for a secret that is not there', async () => {
    const date = new Date('2027-01-15T00:00:00Z');
    secrets.on(DeleteSecretCommand).rejectsOnce(markedForDeletion).rejects(notFound);
    secrets.on(DescribeSecretCommand).resolves({ DeletedDate: date });
    expect(await store().scheduleDeletion('Switchboard/business-tokens/6', 30)).toBe(date.getTime());
    expect(await store().scheduleDeletion('Switchboard/business-tokens/6', 30)).toBeUndefined();
  });

  it('restores a scheduled secret, reads nothing while it is scheduled or gone', async () => {
    secrets.on(RestoreSecretCommand).resolvesOnce({}).rejects(notFound);
    secrets.on(GetSecretValueCommand).rejectsOnce(markedForDeletion).rejectsOnce(notFound).resolves({
      SecretString: '{"accessToken":"t"}',
    });
    expect(await store().restore('a')).toBe(true);
    expect(await store().restore('a')).toBe(false);
    expect(await store().get('a')).toBeUndefined();
    expect(await store().get('a')).toBeUndefined();
    expect(await store().get('a')).toBe('{"accessToken":"t"}');
  });
});
