import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { loadActionsConfig } from '../../shared/app/function-config.js';
import { idleSecondsOf } from '../../shared/app/privacy/settings.js';
import { composeActions } from '../../shared/app/roots/actions.js';
import { parsePageTokens } from '../../shared/domains/threads/page-tokens.js';
import { SecretsManagerStore } from '../../shared/platform/aws/secrets-manager-store.js';
import { SqsDeadLetterSink } from '../../shared/platform/aws/sqs-dead-letters.js';
import { Telemetry } from '../../shared/platform/observability/telemetry.js';
import { jsonSecretSource, parseMetaSecrets } from '../../shared/platform/secrets/meta-secrets.js';
import { ControlTable } from '../../shared/platform/store/control.js';
import { RegisterTable } from '../../shared/platform/store/register-table.js';

const config = loadActionsConfig(process.env);
const db = new DynamoDBClient({});
const secretsManager = new SecretsManagerClient({});
const provider = new SecretsProvider({ awsSdkV3Client: secretsManager });

export const handler = composeActions({
  table: (domain) =>
    new RegisterTable(db, config.tables[domain.name] ?? '', { idleSeconds: idleSecondsOf(config.retention) }),
  control: new ControlTable(db, config.controlTable),
  identity: config.identity,
  metaSecrets: jsonSecretSource(provider, config.metaSecretArn, config.secretCacheSeconds, parseMetaSecrets),
  pageTokens: jsonSecretSource(
    provider,
    config.pageTokensSecretArn,
    config.secretCacheSeconds,
    parsePageTokens,
  ),
  instagramLinks: config.instagramPages,
  businessTokens: {
    store: new SecretsManagerStore(secretsManager, {
      ...(config.businessTokenKmsKeyId === undefined ? {} : { kmsKeyId: config.businessTokenKmsKeyId }),
      tags: { 'switchboard:stack': config.stackName },
    }),
    secretPrefix: config.businessTokenSecretPrefix,
  },
  onboarding: config.onboarding,
  deadLetters: new SqsDeadLetterSink(config.deadLetterQueueUrl),
  telemetry: new Telemetry('actions'),
});
