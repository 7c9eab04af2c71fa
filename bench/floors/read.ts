import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';

const db = new DynamoDBClient({});

/** The floor for the read API: one GetItem. */
export const handler = async (event: { pathParameters?: Record<string, string> }) => {
  const out = await db.send(
    new GetItemCommand({
      TableName: process.env.TABLE_NAME,
      Key: { pk: { S: event.pathParameters?.id ?? '' } },
    }),
  );
  return { statusCode: out.Item ? 200 : 404, body: JSON.stringify(out.Item ?? {}) };
};
