import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createReadApiHandler } from '../../shared/app/api/read-api.js';
import { loadTablesConfig } from '../../shared/app/function-config.js';
import { SolutionReads, ThreadReads, WabaReads } from '../../shared/domains/repositories.js';
import { Telemetry } from '../../shared/platform/observability/telemetry.js';
import { RegisterReader } from '../../shared/platform/store/register-reader.js';

const config = loadTablesConfig(process.env);
const db = new DynamoDBClient({});

export const handler = createReadApiHandler({
  solutions: new SolutionReads(new RegisterReader(db, config.solutionsTable)),
  wabas: new WabaReads(new RegisterReader(db, config.wabasTable)),
  threads: new ThreadReads(new RegisterReader(db, config.threadsTable)),
  telemetry: new Telemetry('api'),
});
