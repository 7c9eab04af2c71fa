import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { loadEventsConfig } from '../../shared/app/function-config.js';
import { userIdPolicy } from '../../shared/app/privacy/event-user-ids.js';
import { composeEvents } from '../../shared/app/roots/events.js';
import { DOMAIN_MODULES } from '../../shared/domains/modules.js';
import { EventBridgePublisher } from '../../shared/platform/aws/eventbridge-publisher.js';
import { Telemetry } from '../../shared/platform/observability/telemetry.js';

const config = loadEventsConfig(process.env);

/**
 * The key of hashed user IDs (`eventUserIds=hashed`): a secret the stack generated, read through Powertools
 * and cached like the other secrets. Imported on first use: with `plain` the cold start never evaluates it.
 */
const secrets = async () => {
  const [{ SecretsProvider }, { SecretsManagerClient }] = await Promise.all([
    import('@aws-lambda-powertools/parameters/secrets'),
    import('@aws-sdk/client-secrets-manager'),
  ]);
  return new SecretsProvider({ awsSdkV3Client: new SecretsManagerClient({}) });
};
let provider: ReturnType<typeof secrets> | undefined;
const userIdKey = async (): Promise<string> => {
  const arn = config.eventUserIdKeyArn;
  if (arn === undefined) return '';
  provider ??= secrets();
  const value = await (await provider).get(arn, { maxAge: config.secretCacheSeconds });
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
