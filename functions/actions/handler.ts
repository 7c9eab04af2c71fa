import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createActionsHandler } from '../../shared/app/actions/handler.js';
import { loadActionsConfig } from '../../shared/app/function-config.js';
import { SolutionRepository, ThreadRepository, WabaRepository } from '../../shared/domains/repositories.js';
import { SolutionActions } from '../../shared/domains/solutions/actions.js';
import { ThreadActions } from '../../shared/domains/threads/actions.js';
import { InstagramPages } from '../../shared/domains/threads/instagram-pages.js';
import { parsePageTokens } from '../../shared/domains/threads/page-tokens.js';
import { SecretsManagerStore } from '../../shared/platform/aws/secrets-manager-store.js';
import { SqsDeadLetterSink } from '../../shared/platform/aws/sqs-dead-letters.js';
import { GraphClient } from '../../shared/platform/graph/client.js';
import { Telemetry } from '../../shared/platform/observability/telemetry.js';
import {
  jsonSecretSource,
  parseMetaSecrets,
  systemUserToken,
} from '../../shared/platform/secrets/meta-secrets.js';
import { ControlTable } from '../../shared/platform/store/control.js';
import { RegisterTable } from '../../shared/platform/store/register-table.js';

const config = loadActionsConfig(process.env);
const db = new DynamoDBClient({});
const secretsManager = new SecretsManagerClient({});
const provider = new SecretsProvider({ awsSdkV3Client: secretsManager });
const metaSecrets = jsonSecretSource(
  provider,
  config.metaSecretArn,
  config.secretCacheSeconds,
  parseMetaSecrets,
);
const pageTokens = jsonSecretSource(
  provider,
  config.pageTokensSecretArn,
  config.secretCacheSeconds,
  parsePageTokens,
);
// Actions answer an HTTP request: retries stay within API Gateway's 30 s.
const graph = new GraphClient({
  baseUrl: config.identity.graphApiBaseUrl,
  token: systemUserToken(metaSecrets),
  maxAttempts: 3,
});
const wabas = new WabaRepository(new RegisterTable(db, config.wabasTable));
const control = new ControlTable(db, config.controlTable);

export const handler = createActionsHandler({
  solutions: new SolutionActions({
    graph,
    solutions: new SolutionRepository(new RegisterTable(db, config.solutionsTable)),
  }),
  threads: new ThreadActions({
    graph,
    threads: new ThreadRepository(new RegisterTable(db, config.threadsTable)),
    pageTokens,
    instagramPages: new InstagramPages({ graph, pageTokens, configured: config.instagramPages }),
    appId: config.identity.appId,
  }),
  businessTokens: {
    graph,
    wabas,
    store: new SecretsManagerStore(secretsManager, {
      ...(config.businessTokenKmsKeyId === undefined ? {} : { kmsKeyId: config.businessTokenKmsKeyId }),
      tags: { 'switchboard:stack': config.stackName },
    }),
    secretPrefix: config.businessTokenSecretPrefix,
    control,
  },
  control,
  telemetry: new Telemetry('actions'),
  deadLetters: new SqsDeadLetterSink(config.deadLetterQueueUrl),
});
