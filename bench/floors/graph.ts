import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';

const db = new DynamoDBClient({});

/** The floor for functions that call Meta and record the answer: one fetch and one UpdateItem. */
export const handler = async (event: { path?: string }) => {
  const response = await fetch(`${process.env.GRAPH_API_BASE_URL}${event.path ?? ''}`, {
    headers: { authorization: `Bearer ${process.env.TOKEN}` },
  });
  const body = await response.text();
  await db.send(
    new UpdateItemCommand({
      TableName: process.env.TABLE_NAME,
      Key: { pk: { S: event.path ?? '' } },
      UpdateExpression: 'SET #b = :b',
      ExpressionAttributeNames: { '#b': 'body' },
      ExpressionAttributeValues: { ':b': { S: body } },
    }),
  );
  return { statusCode: 200, body };
};
