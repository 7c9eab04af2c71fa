import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createReadApiHandler } from '../../shared/api/read-api.js';
import { loadTablesConfig } from '../../shared/aws/function-config.js';
import { Telemetry } from '../../shared/observability/telemetry.js';
import { RegisterReader } from '../../shared/store/register-reader.js';
import { SolutionReads, ThreadReads, WabaReads } from '../../shared/store/repositories.js';

const config = loadTablesConfig(process.env);
const db = new DynamoDBClient({});

export const handler = createReadApiHandler({
  solutions: new SolutionReads(new RegisterReader(db, config.solutionsTable)),
  wabas: new WabaReads(new RegisterReader(db, config.wabasTable)),
  threads: new ThreadReads(new RegisterReader(db, config.threadsTable)),
  telemetry: new Telemetry('api'),
});
