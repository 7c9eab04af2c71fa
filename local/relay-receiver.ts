import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySignature } from '../shared/platform/http/signature.js';

/** One request the receiver took, and which of its secrets (by label) verified the signature, if any. */
export interface ReceivedCopy {
  path: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
  /** The label of the secret that verified `X-Hub-Signature-256` (`meta`, a destination's name), or null. */
  verifiedBy: string | null;
  at: number;
}

export interface RelayReceiverOptions {
  port?: number;
  /** Secrets to verify with, by label: Meta's app secret for `meta` destinations, each `own` secret. */
  secrets: Readonly<Record<string, string>>;
  /** What to answer (a test or a demo makes it fail); default 200 when the signature verifies, else 401. */
  answer?: (
    copy: ReceivedCopy,
  ) =>
    | { status: number; headers?: Record<string, string> }
    | Promise<{ status: number; headers?: Record<string, string> }>;
}

const bodyOf = (request: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });

/**
 * A tiny relay destination on 127.0.0.1: takes every POST, verifies `X-Hub-Signature-256` over the exact bytes it
 * received the way a destination would (with Meta's app secret for a `meta` destination, with its own secret
 * for an `own` one), keeps what it received and answers 200 (401 when no secret verifies). The tests run it,
 * and `npx tsx cli/relay-receiver.ts` prints what local mode relays.
 */
export const startRelayReceiver = async (options: RelayReceiverOptions) => {
  const received: ReceivedCopy[] = [];
  const labels = Object.entries(options.secrets);
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const body = await bodyOf(request);
    const header = request.headers['x-hub-signature-256'];
    const signature = Array.isArray(header) ? header[0] : header;
    const verifiedBy = labels.find(([, secret]) => verifySignature(body, signature, [secret]))?.[0] ?? null;
    const copy = { path: request.url ?? '/', headers: request.headers, body, verifiedBy, at: Date.now() };
    received.push(copy);
    const { status, headers = {} } = (await options.answer?.(copy)) ?? {
      status: verifiedBy === null ? 401 : 200,
    };
    response.writeHead(status, { 'content-type': 'text/plain', ...headers });
    response.end(status < 300 ? 'ok' : 'a secret answer the relay must never log');
  };
  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      response.writeHead(500);
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};

export type RelayReceiver = Awaited<ReturnType<typeof startRelayReceiver>>;
