import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** Writes a JSON answer with its length. */
export const sendJson = (response: ServerResponse, status: number, body: unknown): void => {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
};

/** A request's whole body (the sandbox's JSON calls). */
export const readBody = async (request: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

/** Closes a server now: open keep-alive connections too, so shutdown never waits on an idle client. */
export const closeServer = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

/**
 * Counts a DynamoDB client's HTTP requests by command (the middleware runs once per attempt, retries
 * included): how the tests and benchmarks prove that an event costs exactly one request.
 */
export const countDynamoRequests = (client: DynamoDBClient) => {
  const byCommand = new Map<string, number>();
  const counter = {
    byCommand,
    get total() {
      return [...byCommand.values()].reduce((sum, count) => sum + count, 0);
    },
    reset() {
      byCommand.clear();
    },
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      byCommand.set(context.commandName ?? '?', (byCommand.get(context.commandName ?? '?') ?? 0) + 1);
      return next(args);
    },
    { step: 'deserialize', name: 'requestCounter', override: true },
  );
  return counter;
};
