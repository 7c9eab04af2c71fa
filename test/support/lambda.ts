import { localContext } from '../../local/lambda-context.js';
import type { HttpApiEvent } from '../../shared/platform/http/types.js';

/**
 * A Lambda context with two minutes left: a hang guard (middy ends an invocation as its time runs out), far above
 * what any invocation here needs on a busy machine. Budgets under test come from injected clocks or explicit
 * contexts, never from this.
 */
export const context = (name = 'test') => localContext(name, 120_000);

/** An API Gateway HTTP API (payload 2.0) event, as the deployed API would send it. */
export const httpEvent = (options: {
  method: 'GET' | 'POST';
  path: string;
  routeKey?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  pathParameters?: Record<string, string>;
  body?: string | Buffer;
  base64?: boolean;
}): HttpApiEvent => {
  const raw =
    options.body === undefined
      ? undefined
      : Buffer.isBuffer(options.body)
        ? options.body
        : Buffer.from(options.body, 'utf8');
  return {
    version: '2.0',
    routeKey: options.routeKey ?? `${options.method} ${options.path}`,
    rawPath: options.path,
    rawQueryString: new URLSearchParams(options.query ?? {}).toString(),
    headers: options.headers ?? {},
    queryStringParameters: options.query,
    pathParameters: options.pathParameters,
    body: raw === undefined ? undefined : options.base64 ? raw.toString('base64') : raw.toString('utf8'),
    isBase64Encoded: options.base64 ?? false,
    requestContext: { requestId: 'req', http: { method: options.method, path: options.path }, timeEpoch: 0 },
  };
};

/** Collects everything written to stdout and stderr while `work` runs (Powertools logs go there). */
export const captureOutput = async <T>(work: () => Promise<T>): Promise<{ result: T; output: string }> => {
  const chunks: string[] = [];
  const original = {
    out: process.stdout.write.bind(process.stdout),
    err: process.stderr.write.bind(process.stderr),
  };
  const capture = (chunk: unknown) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return true;
  };
  process.stdout.write = capture as typeof process.stdout.write;
  process.stderr.write = capture as typeof process.stderr.write;
  try {
    const result = await work();
    return { result, output: chunks.join('') };
  } finally {
    process.stdout.write = original.out;
    process.stderr.write = original.err;
  }
};
