import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerSolution } from '../shared/domains/solutions/sandbox.js';
import { answerPage, answerThread } from '../shared/domains/threads/sandbox.js';
import { answerListing } from '../shared/domains/wabas/sandbox.js';
import { signBody } from '../shared/platform/http/signature.js';
import type { SandboxAnswer, SandboxState } from '../shared/platform/sandbox/context.js';
import {
  fixtureSolutions,
  fixtureWabas,
  GraphFailure,
  SANDBOX_INSTAGRAM_LINKS,
  type SandboxSolution,
} from '../shared/platform/sandbox/data.js';
import { closeServer, sendJson } from './net.js';
import { SandboxStateFile } from './sandbox-state.js';

/** The version the sandbox's base URL names; any `vNN.N` path prefix is served the same way. */
export const SANDBOX_VERSION = 'v26.0';
const VERSION_PATTERN = /^v\d{1,3}\.\d$/;

export interface SandboxOptions {
  appId: string;
  businessId: string;
  systemUserToken: string;
  pageToken: string;
  /** WABAs per page, small so the local demo shows paging. */
  pageSize?: number;
  /** Where to send Meta-style webhooks after solution changes, as Meta would. */
  webhook?: { url: string; appSecret: string; delayMs?: number };
  now?: () => number;
  /** Where the sandbox keeps what actions change (solution statuses, thread owners); unset: in memory. */
  stateFile?: string;
}

/**
 * A small Graph API on loopback for local mode and demos, following the reference's rules: paged
 * `client_whatsapp_business_accounts` with the partner filter, the solution state machine, business
 * tokens, and Handover Protocol thread ownership with expiry. Not Meta: it trusts its two tokens. With a
 * `stateFile` it keeps what actions change across restarts, as Meta does (`local/sandbox-state.ts`).
 */
export const startSandboxGraph = async (options: SandboxOptions, port = 0) => {
  const requests: { method: string; path: string; query: Record<string, string> }[] = [];
  const state: SandboxState = {
    appId: options.appId,
    businessId: options.businessId,
    pageSize: options.pageSize ?? 2,
    now: options.now ?? Date.now,
    wabas: fixtureWabas('116133292427920'),
    solutions: new Map(fixtureSolutions().map((solution) => [solution.id, solution])),
    threads: new Map(),
    instagramLinks: SANDBOX_INSTAGRAM_LINKS,
    notify: (solution) => notifySolution(options, state.now, solution),
  };
  const saved = options.stateFile === undefined ? undefined : new SandboxStateFile(options.stateFile);
  saved?.load(state);

  const handle = async (request: IncomingMessage): Promise<SandboxAnswer> => {
    const url = new URL(request.url ?? '/', 'http://sandbox');
    const query = Object.fromEntries(url.searchParams);
    const method = request.method ?? 'GET';
    requests.push({ method, path: url.pathname, query });
    const parts = url.pathname.split('/').filter(Boolean);
    if (!VERSION_PATTERN.test(parts[0] ?? ''))
      throw new GraphFailure(400, 2635, `unknown API version; use one like ${SANDBOX_VERSION}`);
    const [, node = '', edge] = parts;
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? query.access_token;
    const isPageCall =
      (edge !== undefined && /thread/.test(edge)) ||
      (query.fields ?? '').includes('instagram_business_account');
    if (token !== (isPageCall ? options.pageToken : options.systemUserToken))
      throw new GraphFailure(401, 190, 'Invalid OAuth access token - Cannot parse access token');
    const graphRequest = { method, url, host: request.headers.host ?? '', node, edge, query };
    const answer =
      answerListing(state, graphRequest) ??
      answerSolution(state, graphRequest) ??
      answerPage(state, graphRequest) ??
      answerThread(state, graphRequest);
    if (answer === undefined)
      throw new GraphFailure(400, 100, `Unsupported ${method} request: ${url.pathname}`, 33);
    // Kept before answering, as Meta keeps what it acknowledged.
    saved?.save(state);
    return answer;
  };

  const server = createServer((request, response) => {
    void handle(request).then(
      (answer) => sendJson(response, answer.status, answer.body),
      (error: unknown) => {
        const failure =
          error instanceof GraphFailure ? error : new GraphFailure(500, 2, `sandbox error: ${String(error)}`);
        sendJson(response, failure.status, {
          error: {
            message: failure.message,
            type: 'OAuthException',
            code: failure.code,
            error_subcode: failure.subcode,
            fbtrace_id: `sandbox-${randomBytes(6).toString('hex')}`,
          },
        });
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  const address = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${address.port}/${SANDBOX_VERSION}`,
    requests,
    solutions: state.solutions,
    close: () => closeServer(server),
  };
};

/** Meta sends a `partner_solutions` webhook after a solution changes; the sandbox does the same, signed. */
const notifySolution = (options: SandboxOptions, now: () => number, solution: SandboxSolution) => {
  const { webhook } = options;
  if (webhook === undefined) return;
  const body = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: options.businessId,
        time: Math.floor(now() / 1000),
        changes: [
          {
            field: 'partner_solutions',
            value: { event: 'SOLUTION_UPDATED', solution_id: solution.id, solution_status: solution.status },
          },
        ],
      },
    ],
  });
  setTimeout(() => {
    void fetch(webhook.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': signBody(body, webhook.appSecret),
      },
      body,
    }).catch(() => undefined);
  }, webhook.delayMs ?? 300).unref();
};
