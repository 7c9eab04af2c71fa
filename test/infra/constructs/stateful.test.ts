import { describe, expect, it } from 'vitest';
import { isolated } from './isolated.js';

describe('stateful resources', () => {
  it('keep the logical IDs of their first release (a new ID would replace a table, queue, secret or bucket)', () => {
    // Prepare, Act
    const template = isolated(() => undefined);
    const stateful = Object.entries(template.toJSON().Resources as Record<string, { Type: string }>)
      .filter(([, resource]) =>
        /DynamoDB::Table|SQS::Queue$|SecretsManager::Secret|S3::Bucket$/.test(resource.Type),
      )
      .map(([id]) => id)
      .sort();

    // Assess
    expect(stateful).toEqual(
      [
        'MetaSecretE5120ECA',
        'PageTokensSecret242FB4D0',
        'SolutionsQueueDlqA0A45855',
        'SolutionsQueue35C92109',
        'WabasQueueDlqD61FE640',
        'WabasQueueA86D5C94',
        'ThreadsQueueDlq8844B479',
        'ThreadsQueue351E995C',
        'WhatsappThreadsQueueDlq2643033A',
        'WhatsappThreadsQueueCCFA3A69',
        'PassthroughQueueDlq2C01E256',
        'PassthroughQueue20E40CE3',
        'BusinessTokensQueueDlq9E0CAF4D',
        'BusinessTokensQueue2A20C24D',
        'ClaimChecksE0BCCBA7',
        'DeliveryArchiveD4891502',
        'Statesolutions96EF67EF',
        'StatewabasEF956F4D',
        'Statethreads0FE8805D',
        'Statewhatsappthreads4EE31A74',
        'Statecontrol1F82C5AB',
      ].sort(),
    );
  });

  it('are retained, and pass cdk-nag with their own acknowledgements', () => {
    const template = isolated(() => undefined);
    for (const type of ['AWS::DynamoDB::Table', 'AWS::SecretsManager::Secret', 'AWS::S3::Bucket']) {
      for (const resource of Object.values(template.findResources(type)))
        expect(resource.DeletionPolicy, type).toBe('Retain');
    }
  });
});
