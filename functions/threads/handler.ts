import { awsConsumer } from '../../shared/app/aws/consumer.js';
import { threadsConsumer } from '../../shared/domains/threads/consumer.js';
import { threadsManifest } from '../../shared/domains/threads/manifest.js';

export const handler = awsConsumer(threadsManifest, threadsConsumer);
