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

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** `Sec-Fetch-Site` values that mean another site's page made the request (`none`: typed by the user). */
const CROSS_SITE = new Set(['cross-site', 'same-site']);

/**
 * Why a request to one of local mode's listeners comes from a web page, or undefined when it does not. Local
 * mode holds no authentication (dynalite even answers CORS with `*`), so a page must not reach it: a browser
 * sends `Origin` on cross-site requests, a rebound DNS name arrives with its own `Host` (DNS rebinding), and
 * `Sec-Fetch-Site` says another site started the request. Local mode's own clients (the AWS SDK, the Graph
 * client, the CLIs) send none of these. `authority` is the request's host when its target named one.
 */
export const browserRefusal = (request: IncomingMessage, authority?: string): string | undefined => {
  if (request.headers.origin !== undefined)
    return 'requests with an Origin header (from a web page) are refused';
  if (CROSS_SITE.has(String(request.headers['sec-fetch-site']).toLowerCase()))
    return 'requests another site started (Sec-Fetch-Site) are refused';
  const host = (authority ?? request.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
  if (!LOOPBACK_HOSTS.has(host))
    return `host ${JSON.stringify(authority ?? request.headers.host ?? '')} is not loopback`;
  return undefined;
};

/**
 * Puts `browserRefusal` in front of a server whose request handler is not ours (dynalite's): a refused request is
 * answered 403 and never reaches it.
 */
export const refuseBrowsers = (server: Server): void => {
  const handlers = server.listeners('request') as ((
    request: IncomingMessage,
    response: ServerResponse,
  ) => void)[];
  server.removeAllListeners('request');
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const refused = browserRefusal(request);
    if (refused !== undefined) {
      request.resume();
      sendJson(response, 403, { error: 'forbidden', message: refused });
      return;
    }
    for (const handler of handlers) handler.call(server, request, response);
  });
};
