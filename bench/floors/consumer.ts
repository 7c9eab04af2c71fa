import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';

const db = new DynamoDBClient({});

/** The floor for a consumer: one UpdateItem per record, nothing else. */
export const handler = async (event: { Records: { body: string }[] }) => {
  for (const record of event.Records) {
    await db.send(
      new UpdateItemCommand({
        TableName: process.env.TABLE_NAME,
        Key: { pk: { S: record.body.slice(0, 32) } },
        UpdateExpression: 'SET #b = :b',
        ExpressionAttributeNames: { '#b': 'body' },
        ExpressionAttributeValues: { ':b': { S: record.body } },
      }),
    );
  }
  return { batchItemFailures: [] };
};
