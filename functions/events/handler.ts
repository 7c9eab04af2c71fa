import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { EventBridgePublisher } from '../../shared/aws/eventbridge-publisher.js';
import { loadEventsConfig } from '../../shared/aws/function-config.js';
import { createStreamHandler } from '../../shared/events/stream-handler.js';
import { Telemetry } from '../../shared/observability/telemetry.js';

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
