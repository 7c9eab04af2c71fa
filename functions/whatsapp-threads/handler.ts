import { awsConsumer } from '../../shared/app/aws/consumer.js';
import { whatsappThreadsConsumer } from '../../shared/domains/whatsapp-threads/consumer.js';
import { whatsappThreadsManifest } from '../../shared/domains/whatsapp-threads/manifest.js';

export const handler = awsConsumer(whatsappThreadsManifest, whatsappThreadsConsumer);
