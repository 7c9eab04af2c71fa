import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createReadApiHandler } from '../../shared/api/read-api.js';
import { loadTablesConfig } from '../../shared/aws/function-config.js';
import { Telemetry } from '../../shared/observability/telemetry.js';
import { RegisterTable } from '../../shared/store/register-table.js';
import { SolutionRepository, ThreadRepository, WabaRepository } from '../../shared/store/repositories.js';

const config = loadTablesConfig(process.env);
const db = new DynamoDBClient({});

export const handler = createReadApiHandler({
  solutions: new SolutionRepository(new RegisterTable(db, config.solutionsTable)),
  wabas: new WabaRepository(new RegisterTable(db, config.wabasTable)),
  threads: new ThreadRepository(new RegisterTable(db, config.threadsTable)),
  telemetry: new Telemetry('api'),
});
