import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer } from '../../local/http-adapter.js';

/** A server with the local adapter's request handling; no route is reached by these requests. */
let server: Awaited<ReturnType<typeof startHttpServer>>;
beforeAll(async () => {
  const answer = async () => ({ statusCode: 200, headers: {}, body: 'ok' });
  server = await startHttpServer({
    port: 0,
    handlers: { webhook: answer, api: answer, actions: answer, reconcile: answer },
  });
});
afterAll(() => server.close());

interface RawAnswer {
  status: number;
  headers: string;
  body: string;
}

/** Sends `request` as raw bytes on a fresh connection and reads the answer until the server closes it. */
const sendRaw = (request: string): Promise<RawAnswer> =>
  new Promise((resolve, reject) => {
    const { port } = new URL(server.url);
    const socket = connect(Number(port), '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', body = ''] = text.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), headers: head, body });
    });
    socket.end(request);
  });

const jsonError = (answer: RawAnswer) => JSON.parse(answer.body) as { error: string; message: string };

describe('local HTTP server: requests over the header limit', () => {
  it('answers 431 with a JSON error for a 20 KB header', async () => {
    // Act
    const answer = await sendRaw(
      `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ${'a'.repeat(20 * 1024)}\r\n\r\n`,
    );

    // Assess
    expect(answer.status).toBe(431);
    expect(answer.headers).toMatch(/content-type: application\/json/i);
    expect(jsonError(answer)).toMatchObject({ error: 'request_header_fields_too_large' });
  });

  it('answers 431 with a JSON error for a 100 KB URL, without resetting the connection', async () => {
    // Act
    const answer = await sendRaw(
      `GET /v1/wabas/${'1'.repeat(100 * 1024)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`,
    );

    // Assess
    expect(answer.status).toBe(431);
    expect(jsonError(answer)).toMatchObject({ error: 'request_header_fields_too_large' });
  });

  it('answers 400 with a JSON error for a request that is not HTTP', async () => {
    // Act
    const answer = await sendRaw('NOT HTTP AT ALL\r\n\r\n');

    // Assess
    expect(answer.status).toBe(400);
    expect(jsonError(answer)).toMatchObject({ error: 'bad_request' });
  });
});
