import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { loadTablesConfig } from '../../shared/app/function-config.js';
import { composeApi } from '../../shared/app/roots/api.js';
import { Telemetry } from '../../shared/platform/observability/telemetry.js';
import { RegisterReader } from '../../shared/platform/store/register-reader.js';

const config = loadTablesConfig(process.env);
const db = new DynamoDBClient({});

export const handler = composeApi({
  table: (domain) => new RegisterReader(db, config.tables[domain.name] ?? ''),
  telemetry: new Telemetry('api'),
});
