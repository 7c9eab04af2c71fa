import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { loadConsumerConfig } from '../../shared/aws/function-config.js';
import { S3ClaimStore } from '../../shared/aws/s3-claim-store.js';
import { ENV } from '../../shared/config.js';
import { createConsumerHandler } from '../../shared/consumers/consumer.js';
import { solutionsConsumer } from '../../shared/consumers/specs.js';
import { Telemetry } from '../../shared/observability/telemetry.js';
import { RegisterTable } from '../../shared/store/register-table.js';
import { SolutionRepository } from '../../shared/store/repositories.js';

const config = loadConsumerConfig(process.env, ENV.solutionsTable);
const telemetry = new Telemetry('solutions');
const repository = new SolutionRepository(new RegisterTable(new DynamoDBClient({}), config.tableName));

export const handler = createConsumerHandler(solutionsConsumer(repository, telemetry), {
  claims: new S3ClaimStore(config.claimCheckBucket),
  telemetry,
});
