import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { loadEventsConfig } from '../../shared/app/function-config.js';
import { userIdPolicy } from '../../shared/app/privacy/event-user-ids.js';
import { composeEvents } from '../../shared/app/roots/events.js';
import { DOMAIN_MODULES } from '../../shared/domains/modules.js';
import { EventBridgePublisher } from '../../shared/platform/aws/eventbridge-publisher.js';
import { Telemetry } from '../../shared/platform/observability/telemetry.js';

const config = loadEventsConfig(process.env);

/** The key of hashed user IDs (`eventUserIds=hashed`): a secret the stack generated, read once and cached. */
const keyArn = config.eventUserIdKeyArn;
const provider =
  keyArn === undefined ? undefined : new SecretsProvider({ awsSdkV3Client: new SecretsManagerClient({}) });
const userIdKey = async (): Promise<string> => {
  if (provider === undefined || keyArn === undefined) return '';
  const value = await provider.get(keyArn, { maxAge: config.secretCacheSeconds });
  return typeof value === 'string' ? value : '';
};

export const handler = composeEvents({
  publisher: userIdPolicy(
    new EventBridgePublisher(config.eventBusName, new EventBridgeClient({})),
    config.eventUserIds,
    userIdKey,
  ),
  tableNames: config.tables,
  domains: DOMAIN_MODULES,
  telemetry: new Telemetry('events'),
});
