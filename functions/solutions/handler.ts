import { awsConsumer } from '../../shared/app/aws/consumer.js';
import { solutionsConsumer } from '../../shared/domains/solutions/consumer.js';
import { solutionsManifest } from '../../shared/domains/solutions/manifest.js';

export const handler = awsConsumer(solutionsManifest, solutionsConsumer);
