import { afterAll, beforeAll } from 'vitest';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../local/stack.js';
import type { Env } from '../../shared/platform/config/env.js';
import { signBody } from '../../shared/platform/http/signature.js';
import type { FakeGraph } from './fake-graph.js';

/**
 * Starts local mode on a free loopback port for the test file (in memory), with local mode's own queue timing
 * (a batch comes back after 2 s, a token job after 40 s) unless `options` say otherwise: a visibility timeout
 * shorter than a batch takes on a busy machine has the batch received again while it runs, and a message
 * received too often dead-lettered although it was applied (a test artefact: AWS's is 6 × the function
 * timeout). `drain()` waits until the queues are empty however long that takes (the test's timeout is the only
 * hang guard): no test asserts how much work fits in a time window.
 */
export const useLocalStack = (options: Partial<LocalStackOptions> = {}): { stack: LocalStack } => {
  const holder = {} as { stack: LocalStack };
  beforeAll(async () => {
    const stack = await startLocalStack({ env: {}, port: 0, ...options });
    const drain = stack.drain;
    stack.drain = (timeoutMs = Number.POSITIVE_INFINITY) => drain(timeoutMs);
    holder.stack = stack;
  });
  afterAll(async () => {
    await holder.stack?.close();
  });
  return holder;
};

/**
 * Local mode calling a Graph stand-in that records every request (not the sandbox), with a system user token
 * and a page token, so that every route that calls Meta can.
 */
export const useLocalStackWithGraph = (
  graph: FakeGraph,
  env: Env = {},
  options: Partial<LocalStackOptions> = {},
): { stack: LocalStack } =>
  useLocalStack({
    ...options,
    env: {
      META_SYSTEM_USER_TOKEN: 'stand-in-system-user-token',
      META_PAGE_ACCESS_TOKEN: 'stand-in-page-token',
      ...env,
      get GRAPH_API_BASE_URL() {
        return graph.base;
      },
    },
  });

export const postSigned = (
  url: string,
  body: string | Buffer,
  secret: string,
  headers: Record<string, string> = {},
) =>
  fetch(`${url}/webhook`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-hub-signature-256': signBody(body, secret),
      ...headers,
    },
    body,
  });

export const getJson = async (url: string): Promise<{ status: number; body: Record<string, unknown> }> => {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};
