import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { loadPrivacyConfig } from '../../shared/app/function-config.js';
import { composePrivacy } from '../../shared/app/roots/privacy.js';
import { DOMAIN_MODULES } from '../../shared/domains/modules.js';
import { EventBridgePublisher } from '../../shared/platform/aws/eventbridge-publisher.js';
import { Telemetry } from '../../shared/platform/observability/telemetry.js';
import { jsonSecretSource, parseMetaSecrets } from '../../shared/platform/secrets/meta-secrets.js';
import { ControlTable } from '../../shared/platform/store/control.js';
import { DynamoErasureStore } from '../../shared/platform/store/dynamo-erasure.js';

const config = loadPrivacyConfig(process.env);
const db = new DynamoDBClient({});

export const handler = composePrivacy({
  domains: DOMAIN_MODULES,
  store: (domain) => new DynamoErasureStore(db, config.tables[domain.name] ?? '', domain.table),
  control: new ControlTable(db, config.controlTable),
  secrets: jsonSecretSource(
    new SecretsProvider({ awsSdkV3Client: new SecretsManagerClient({}) }),
    config.metaSecretArn,
    config.secretCacheSeconds,
    parseMetaSecrets,
  ),
  publisher: new EventBridgePublisher(config.eventBusName, new EventBridgeClient({})),
  retention: config.retention,
  telemetry: new Telemetry('privacy'),
});
