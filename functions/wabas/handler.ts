import { awsConsumer } from '../../shared/app/aws/consumer.js';
import { wabasConsumer } from '../../shared/domains/wabas/consumer.js';
import { wabasManifest } from '../../shared/domains/wabas/manifest.js';

export const handler = awsConsumer(wabasManifest, wabasConsumer);
