import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';

/** The floor for a consumer: one UpdateItem per record, nothing else. */
export const createFloorConsumer =
  (db: DynamoDBClient, tableName: string) => async (event: { Records: { body: string }[] }) => {
    for (const record of event.Records) {
      await db.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: { pk: { S: record.body.slice(0, 32) } },
          UpdateExpression: 'SET #b = :b',
          ExpressionAttributeNames: { '#b': 'body' },
          ExpressionAttributeValues: { ':b': { S: record.body } },
        }),
      );
    }
    return { batchItemFailures: [] };
  };

export const handler = createFloorConsumer(new DynamoDBClient({}), process.env.TABLE_NAME ?? '');
