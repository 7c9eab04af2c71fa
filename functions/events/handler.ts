import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { loadEventsConfig } from '../../shared/app/function-config.js';
import { composeEvents } from '../../shared/app/roots/events.js';
import { DOMAIN_MODULES } from '../../shared/domains/modules.js';
import { EventBridgePublisher } from '../../shared/platform/aws/eventbridge-publisher.js';
import { Telemetry } from '../../shared/platform/observability/telemetry.js';

const config = loadEventsConfig(process.env);

export const handler = composeEvents({
  publisher: new EventBridgePublisher(config.eventBusName, new EventBridgeClient({})),
  tableNames: config.tables,
  domains: DOMAIN_MODULES,
  telemetry: new Telemetry('events'),
});
