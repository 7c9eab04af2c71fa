import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach } from 'vitest';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
  body: string;
}

export interface FakeReply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** The body exactly as written (bare integers past 2^53, as Meta may send IDs), instead of `body`. */
  raw?: string;
  /** Destroy the socket instead of answering (a connection reset). */
  reset?: boolean;
  delayMs?: number;
}

export type FakeRoute = (request: RecordedRequest, base: string) => FakeReply | Promise<FakeReply>;

export const graphError = (
  code: number,
  message: string,
  extra: Record<string, unknown> = {},
  status = 400,
): FakeReply => ({
  status,
  body: { error: { message, type: 'OAuthException', code, fbtrace_id: `trace-${code}`, ...extra } },
});

/**
 * A Graph API stand-in on 127.0.0.1: tests script replies per `METHOD /path` (queued replies are used
 * in order, the last one repeats) and read back every request exactly as it arrived.
 */
export class FakeGraph {
  public readonly requests: RecordedRequest[] = [];
  private readonly routes = new Map<string, FakeRoute[]>();
  private fallbackReply: FakeReply | undefined;
  private server: Server | undefined;
  public base = '';

  public async start(): Promise<void> {
    const server = createServer((request, response) => {
      void this.handle(request).then((reply) => {
        if (reply.reset) {
          request.socket.destroy();
          return;
        }
        const text = reply.raw ?? JSON.stringify(reply.body ?? {});
        setTimeout(() => {
          response.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
          response.end(text);
        }, reply.delayMs ?? 0);
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    this.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v26.0`;
  }

  public async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  public reset(): void {
    this.requests.length = 0;
    this.routes.clear();
    this.fallbackReply = undefined;
  }

  /** The reply to any request no route matches (by default a Graph error naming the missing route). */
  public fallback(reply: FakeReply): this {
    this.fallbackReply = reply;
    return this;
  }

  /** Replies for `METHOD /path` (path without the version), used in order; the last one repeats. */
  public on(route: string, ...replies: (FakeReply | FakeRoute)[]): this {
    this.routes.set(
      route,
      replies.map((reply) => (typeof reply === 'function' ? reply : () => reply)),
    );
    return this;
  }

  public calls(route: string): RecordedRequest[] {
    const [method, path] = route.split(' ');
    return this.requests.filter((request) => request.method === method && request.path === `/v26.0${path}`);
  }

  private async handle(request: IncomingMessage): Promise<FakeReply> {
    const url = new URL(request.url ?? '/', 'http://fake');
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const recorded: RecordedRequest = {
      method: request.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      authorization: request.headers.authorization,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    this.requests.push(recorded);
    const key = `${recorded.method} ${url.pathname.replace(/^\/v26\.0/, '')}`;
    const replies = this.routes.get(key);
    if (replies === undefined || replies.length === 0)
      return this.fallbackReply ?? graphError(100, `fake graph: no route ${key}`);
    const used = this.requests.filter((r) => `${r.method} ${r.path.replace(/^\/v26\.0/, '')}` === key).length;
    const reply = replies[Math.min(used, replies.length) - 1] ?? replies[replies.length - 1];
    return reply === undefined ? {} : reply(recorded, this.base);
  }
}

/** One fake per test file, reset before each test. */
export const useFakeGraph = (): FakeGraph => {
  const fake = new FakeGraph();
  beforeAll(() => fake.start());
  afterAll(() => fake.stop());
  beforeEach(() => fake.reset());
  return fake;
};
