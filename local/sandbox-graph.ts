import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DOMAIN_MODULES } from '../shared/domains/modules.js';
import { parseJsonObject } from '../shared/kernel/json.js';
import type { DomainModule } from '../shared/platform/domain/domain.js';
import { signBody } from '../shared/platform/http/signature.js';
import {
  GraphFailure,
  type SandboxAnswer,
  type SandboxKey,
  type SandboxPart,
  type SandboxWorld,
  type TokenKind,
} from '../shared/platform/sandbox/context.js';
import { browserRefusal, closeServer, readBody, sendJson } from './net.js';
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
  /** Where to send Meta-style webhooks (after a solution changes, ...), as Meta would. */
  webhook?: { url: string; appSecret: string; delayMs?: number };
  now?: () => number;
  /** The domains whose parts answer: the registry's unless a test says. */
  domains?: readonly DomainModule[];
  /** Where the sandbox keeps what calls change (solution statuses, thread owners); unset: in memory. */
  stateFile?: string;
}

/** The world the parts share: tokens, the clock, webhooks to Switchboard, and each part's state by key. */
const createWorld = (
  options: SandboxOptions,
): SandboxWorld & { tokenKind(token: string): TokenKind | undefined } => {
  const tokens = new Map<string, TokenKind>([
    [options.systemUserToken, 'system'],
    [options.pageToken, 'page'],
  ]);
  const state = new Map<string, unknown>();
  return {
    appId: options.appId,
    businessId: options.businessId,
    pageSize: options.pageSize ?? 2,
    now: options.now ?? Date.now,
    tokenKind: (token) => tokens.get(token),
    issueToken(kind) {
      const token = `EAAsandbox${randomBytes(12).toString('hex')}`;
      tokens.set(token, kind);
      return token;
    },
    deliver: (body) => deliver(options, body),
    provide: (key, value) => void state.set(key.name, value),
    get<T>(key: SandboxKey<T>): T {
      if (!state.has(key.name)) throw new Error(`no sandbox part provides ${key.name}`);
      return state.get(key.name) as T;
    },
  };
};

/**
 * A small Graph API on loopback for local mode and demos, following the reference's rules: each domain answers
 * its own calls (`sandbox.ts` in its folder) over one shared world. Not Meta: it trusts the tokens it knows.
 */
export const startSandboxGraph = async (options: SandboxOptions, port = 0) => {
  const requests: { method: string; path: string; query: Record<string, string> }[] = [];
  const world = createWorld(options);
  const named = new Map<string, SandboxPart>(
    (options.domains ?? DOMAIN_MODULES).flatMap((domain) =>
      domain.sandbox === undefined ? [] : [[domain.manifest.name, domain.sandbox(world)]],
    ),
  );
  const parts = [...named.values()];
  // With a state file, Meta's side keeps what calls changed across restarts (`local/sandbox-state.ts`).
  const saved = options.stateFile === undefined ? undefined : new SandboxStateFile(options.stateFile);
  saved?.load(named);

  const handle = async (request: IncomingMessage): Promise<SandboxAnswer> => {
    const url = new URL(request.url ?? '/', 'http://sandbox');
    const query = Object.fromEntries(url.searchParams);
    const method = request.method ?? 'GET';
    requests.push({ method, path: url.pathname, query });
    const segments = url.pathname.split('/').filter(Boolean);
    if (!VERSION_PATTERN.test(segments[0] ?? ''))
      throw new GraphFailure(400, 2635, `unknown API version; use one like ${SANDBOX_VERSION}`);
    const [, node = '', edge] = segments;
    const presented = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? query.access_token;
    const token = presented === undefined ? undefined : world.tokenKind(presented);
    if (token === undefined)
      throw new GraphFailure(401, 190, 'Invalid OAuth access token - Cannot parse access token');
    const body = parseJsonObject((await readBody(request)).toString('utf8')) ?? {};
    const graphRequest = { method, url, host: request.headers.host ?? '', node, edge, query, body, token };
    for (const part of parts) {
      const answer = part.answer(graphRequest);
      if (answer === undefined) continue;
      // Kept before answering, as Meta keeps what it acknowledged.
      saved?.save(named);
      return answer;
    }
    throw new GraphFailure(400, 100, `Unsupported ${method} request: ${url.pathname}`, 33);
  };

  const server = createServer((request, response) => {
    // It answers with the development tokens' data: only local mode itself, never a web page (see browserRefusal).
    const refused = browserRefusal(request);
    if (refused !== undefined) {
      request.resume();
      sendJson(response, 403, { error: { message: refused, type: 'OAuthException', code: 190 } });
      return;
    }
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
            ...(failure.details === undefined
              ? {}
              : { error_data: { messaging_product: 'whatsapp', details: failure.details } }),
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
    world,
    close: () => closeServer(server),
  };
};

/** A signed webhook delivery to Switchboard, a little later, as Meta sends one after a change. */
const deliver = (options: SandboxOptions, delivery: Record<string, unknown>) => {
  const { webhook } = options;
  if (webhook === undefined) return;
  const body = JSON.stringify(delivery);
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
