import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { loadEventsConfig } from '../../shared/app/function-config.js';
import { EventBridgePublisher } from '../../shared/platform/aws/eventbridge-publisher.js';
import { createStreamHandler } from '../../shared/platform/events/stream-handler.js';
import { Telemetry } from '../../shared/platform/observability/telemetry.js';

const config = loadEventsConfig(process.env);

export const handler = createStreamHandler({
  publisher: new EventBridgePublisher(config.eventBusName, new EventBridgeClient({})),
  tables: {
    [config.solutionsTable]: 'solutions',
    [config.wabasTable]: 'wabas',
    [config.threadsTable]: 'threads',
  },
  telemetry: new Telemetry('events'),
});
