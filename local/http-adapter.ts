import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { ROUTES } from '../shared/app/routes.js';
import { type RoutedFunction, routeKey } from '../shared/platform/http/routes.js';
import type { HttpApiEvent, HttpResult } from '../shared/platform/http/types.js';
import { browserRefusal, closeServer } from './net.js';

/** API Gateway HTTP APIs refuse payloads over 10 MB before any function runs. */
const API_GATEWAY_MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

const TEXT_TYPES = /^(text\/|application\/(json|[\w.+-]+\+json|x-www-form-urlencoded|xml|javascript))/i;

export type RouteHandler = (event: HttpApiEvent) => Promise<HttpResult>;
export type LocalRoute = (
  request: IncomingMessage,
  response: ServerResponse,
  body: Buffer,
) => Promise<boolean>;

const readBody = (request: IncomingMessage): Promise<Buffer | undefined> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= API_GATEWAY_MAX_PAYLOAD_BYTES) chunks.push(chunk);
    });
    request.on('end', () =>
      resolve(size > API_GATEWAY_MAX_PAYLOAD_BYTES ? undefined : Buffer.concat(chunks)),
    );
    request.on('error', reject);
  });

const isValidUtf8 = (bytes: Buffer): boolean => Buffer.from(bytes.toString('utf8'), 'utf8').equals(bytes);

/**
 * Builds the API Gateway payload 2.0 event the deployed API would send: lowercased headers (repeats
 * joined by commas), decoded query parameters, path parameters from the route table, and the body as
 * text only when it is textual and valid UTF-8, else base64 — so signatures see the exact bytes.
 */
export const toHttpApiEvent = (
  request: IncomingMessage,
  body: Buffer,
  key: string,
  pathParameters: Record<string, string>,
): HttpApiEvent => {
  const url = new URL(request.url ?? '/', 'http://local');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams)
    query[name] = name in query ? `${query[name]},${value}` : value;
  const textual = body.length === 0 || (TEXT_TYPES.test(headers['content-type'] ?? '') && isValidUtf8(body));
  const method = (request.method ?? 'GET').toUpperCase();
  return {
    version: '2.0',
    routeKey: key,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    queryStringParameters: Object.keys(query).length === 0 ? undefined : query,
    pathParameters: Object.keys(pathParameters).length === 0 ? undefined : pathParameters,
    body: body.length === 0 ? undefined : textual ? body.toString('utf8') : body.toString('base64'),
    isBase64Encoded: !textual,
    requestContext: {
      requestId: randomUUID(),
      http: { method, path: url.pathname, sourceIp: request.socket.remoteAddress ?? '127.0.0.1' },
      timeEpoch: Date.now(),
    },
  };
};

const send = (response: ServerResponse, result: HttpResult): void => {
  const body = result.isBase64Encoded ? Buffer.from(result.body, 'base64') : Buffer.from(result.body, 'utf8');
  response.writeHead(result.statusCode, { ...result.headers, 'content-length': String(body.length) });
  response.end(body);
};

const jsonResult = (statusCode: number, body: unknown): HttpResult => ({
  statusCode,
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body: JSON.stringify(body),
});

/**
 * Local mode's `/v1` and `/local` act with the developer's real tokens and hold no authentication: a web
 * page must not reach them (see `browserRefusal`: Origin, Sec-Fetch-Site, a Host that is not loopback). An
 * `<img>` or a link sends no `Origin` with its GET, hence the other two.
 */
export const refusesBrowser = (request: IncomingMessage, target: URL): string | undefined => {
  if (!/^\/(v1|local)(\/|$)/.test(target.pathname)) return undefined;
  // A target in absolute form (`GET http://host/...`) names the host itself; the Host header is then ignored.
  return browserRefusal(request, ABSOLUTE_FORM.test(request.url ?? '') ? target.host : undefined);
};

const ABSOLUTE_FORM = /^[a-z][a-z0-9+.-]*:/i;

/** The request target as a URL (origin or absolute form), or undefined when it is not one (`//[`). */
const targetOf = (request: IncomingMessage): URL | undefined => {
  try {
    return new URL(request.url ?? '/', 'http://local');
  } catch {
    return undefined;
  }
};

/** Responses not yet finished, per connection. */
const pendingResponses = new WeakMap<Duplex, number>();

const trackResponse = (request: IncomingMessage, response: ServerResponse): void => {
  const { socket } = request;
  pendingResponses.set(socket, (pendingResponses.get(socket) ?? 0) + 1);
  // 'close' comes once the response is finished, or once its connection is gone.
  response.once('close', () => pendingResponses.set(socket, (pendingResponses.get(socket) ?? 1) - 1));
};

/** How long a refused connection may keep sending before it is dropped (its answer is already on its way). */
const REFUSED_LINGER_MS = 2_000;

/** The answer to a request Node could not parse, by Node's error code. */
const clientErrorAnswer = (error: Error): { status: number; reason: string; body: object } => {
  const code = 'code' in error ? error.code : undefined;
  if (code === 'HPE_HEADER_OVERFLOW')
    return {
      status: 431,
      reason: 'Request Header Fields Too Large',
      body: {
        error: 'request_header_fields_too_large',
        message: 'the request line and headers exceed the 16 KiB limit',
      },
    };
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return {
      status: 408,
      reason: 'Request Timeout',
      body: { error: 'request_timeout', message: 'the request did not arrive in time' },
    };
  return {
    status: 400,
    reason: 'Bad Request',
    body: { error: 'bad_request', message: 'malformed HTTP request' },
  };
};

/**
 * Answers a request Node refused before any handler saw it (request line or headers over Node's 16 KiB, or
 * not HTTP) with the JSON error every other answer carries, where Node alone answers a bare status line.
 * The connection is half-closed rather than destroyed: destroying it while the client still sends (a 100 KB
 * URL) makes the kernel reset the connection, and the client loses the answer. Whatever the client sends
 * after is read and dropped (the parser reports each chunk again: answered once) until it closes, or the
 * linger ends.
 */
const answeredSockets = new WeakSet<Duplex>();
const answerClientError = (error: Error, socket: Duplex): void => {
  if (answeredSockets.has(socket)) return;
  answeredSockets.add(socket);
  // A raw answer written while a pipelined request's response is going out would land inside it.
  if (!socket.writable || (pendingResponses.get(socket) ?? 0) > 0) {
    socket.destroy();
    return;
  }
  const { status, reason, body } = clientErrorAnswer(error);
  const text = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json; charset=utf-8\r\n` +
      `content-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`,
  );
  setTimeout(() => socket.destroy(), REFUSED_LINGER_MS).unref();
};

/** Serves the route table on loopback, dispatching each route to its function's handler. */
export const startHttpServer = async (options: {
  port: number;
  handlers: Record<RoutedFunction, RouteHandler>;
  localRoutes?: LocalRoute;
  onError?: (error: unknown) => void;
}): Promise<{ server: Server; url: string; close(): Promise<void> }> => {
  const server = createServer((request, response) => {
    trackResponse(request, response);
    void (async () => {
      try {
        const body = await readBody(request);
        if (body === undefined)
          return send(
            response,
            jsonResult(413, { error: 'payload_too_large', message: 'Request Entity Too Large' }),
          );
        const url = targetOf(request);
        if (url === undefined)
          return send(
            response,
            jsonResult(400, { error: 'bad_request', message: 'request target is not a URL' }),
          );
        const refused = refusesBrowser(request, url);
        if (refused !== undefined)
          return send(response, jsonResult(403, { error: 'forbidden', message: refused }));
        if (options.localRoutes !== undefined && (await options.localRoutes(request, response, body))) return;
        const match = ROUTES.match(request.method ?? 'GET', url.pathname);
        if (!match.found)
          return send(
            response,
            jsonResult(
              match.status,
              match.status === 404
                ? { error: 'not_found', message: 'Not Found' }
                : { error: 'method_not_allowed', message: 'Method Not Allowed' },
            ),
          );
        const event = toHttpApiEvent(request, body, routeKey(match.route), match.pathParameters);
        send(response, await options.handlers[match.route.function](event));
      } catch (error) {
        options.onError?.(error);
        if (!response.headersSent)
          send(response, jsonResult(500, { error: 'internal_error', message: 'Internal Server Error' }));
        else response.destroy();
      }
    })();
  });
  server.keepAliveTimeout = 5_000;
  server.on('clientError', answerClientError);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    close: () => closeServer(server),
  };
};
