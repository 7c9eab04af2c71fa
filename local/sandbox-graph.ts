import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signBody } from '../shared/webhook/signature.js';
import { closeServer, sendJson } from './net.js';

/** The version the sandbox's base URL names; any `vNN.N` path prefix is served the same way. */
export const SANDBOX_VERSION = 'v26.0';
const VERSION_PATTERN = /^v\d{1,3}\.\d$/;
const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_EXTEND_SECONDS = 7 * 24 * 60 * 60;

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
}

interface SandboxWaba {
  id: string;
  name: string;
  timezone_id: string;
  business_type: string;
  message_template_namespace: string;
  partners: string[];
  solutions: string[];
}

interface SandboxSolution {
  id: string;
  name: string;
  status: string;
  status_for_pending_request: string;
  ownedByUs: boolean;
  partnerApp: { id: string; name: string; link: string };
  permissions: string[];
}

const PERMISSIONS = [
  'MANAGE',
  'DEVELOP',
  'MANAGE_TEMPLATES',
  'MANAGE_PHONE',
  'VIEW_COST',
  'MANAGE_EXTENSIONS',
  'VIEW_PHONE_ASSETS',
  'MANAGE_PHONE_ASSETS',
  'VIEW_TEMPLATES',
  'VIEW_INSIGHTS',
];

/** Customer WABAs from the reference's examples, plus some no webhook fixture announces. */
const fixtureWabas = (partner: string): SandboxWaba[] => [
  {
    id: '102290129340398',
    name: 'Cool New Customer 2',
    timezone_id: '7',
    business_type: 'ent',
    message_template_namespace: '0add05f3_abbe_4a55_b6f5_e751fa4e1244',
    partners: [partner],
    solutions: ['303610109049230'],
  },
  {
    id: '112077945305052',
    name: 'Cool New Customer 1',
    timezone_id: '7',
    business_type: 'ent',
    message_template_namespace: 'b2d0c901_b542_46a0_ab99_5939b75267d8',
    partners: [partner],
    solutions: ['17602267745700'],
  },
  {
    id: '118453277124469',
    name: 'Lucky Shrub Garden Center',
    timezone_id: '47',
    business_type: 'ent',
    message_template_namespace: '6a1f2d9e_0b7c_4e55_9d3f_1c2b3a4d5e6f',
    partners: [partner],
    solutions: ['17602267745700'],
  },
  {
    id: '120399918844556',
    name: 'Unannounced Bakery',
    timezone_id: '7',
    business_type: 'ent',
    message_template_namespace: '9c8b7a6d_5e4f_4a3b_2c1d_0e9f8a7b6c5d',
    partners: [partner],
    solutions: ['17602267745700'],
  },
  {
    id: '127766554433221',
    name: 'Social Brew Roasters',
    timezone_id: '12',
    business_type: 'ent',
    message_template_namespace: '3d2c1b0a_9f8e_4d7c_6b5a_4f3e2d1c0b9a',
    partners: [partner],
    solutions: ['303610109049230'],
  },
];

const fixtureSolutions = (): SandboxSolution[] => [
  {
    id: '19702253086782',
    name: 'Social OVD with Lucky Shrub',
    status: 'INITIATED',
    status_for_pending_request: 'PENDING_ACTIVATION',
    ownedByUs: false,
    partnerApp: { id: '637576208107267', name: 'Social Overdrive', link: 'https://www.socialoverdrive.com/' },
    permissions: PERMISSIONS,
  },
  {
    id: '774485461512159',
    name: 'Social OVD with Social Brew',
    status: 'INITIATED',
    status_for_pending_request: 'PENDING_ACTIVATION',
    ownedByUs: false,
    partnerApp: { id: '637576208107267', name: 'Social Overdrive', link: 'https://www.socialoverdrive.com/' },
    permissions: PERMISSIONS,
  },
  {
    id: '17602267745700',
    name: 'Social OVD with Social Brew (live)',
    status: 'ACTIVE',
    status_for_pending_request: 'NONE',
    ownedByUs: true,
    partnerApp: { id: '637576208107267', name: 'Social Overdrive', link: 'https://www.socialoverdrive.com/' },
    permissions: PERMISSIONS,
  },
  {
    id: '303610109049230',
    name: 'Partner solution from the reference',
    status: 'ACTIVE',
    status_for_pending_request: 'NONE',
    ownedByUs: true,
    partnerApp: { id: '637576208107267', name: 'Social Overdrive', link: 'https://www.socialoverdrive.com/' },
    permissions: PERMISSIONS,
  },
];

class GraphFailure extends Error {
  public constructor(
    public readonly status: number,
    public readonly code: number,
    message: string,
    public readonly subcode?: number,
  ) {
    super(message);
  }
}

const SOLUTION_TRANSITIONS: Record<
  string,
  { from: string[]; to: string; ownerOnly?: boolean; invitedOnly?: boolean }
> = {
  accept: { from: ['INITIATED', 'PENDING'], to: 'ACTIVE', invitedOnly: true },
  reject: { from: ['INITIATED', 'PENDING'], to: 'REJECTED', invitedOnly: true },
  send_deactivation_request: { from: ['ACTIVE'], to: 'PENDING_DEACTIVATION', ownerOnly: true },
  accept_deactivation_request: { from: ['PENDING_DEACTIVATION'], to: 'DEACTIVATED' },
  reject_deactivation_request: { from: ['PENDING_DEACTIVATION'], to: 'ACTIVE' },
};

/**
 * A small Graph API on loopback for local mode and demos, following the reference's rules: paged
 * `client_whatsapp_business_accounts` with the partner filter, the solution state machine, business
 * tokens, and Handover Protocol thread ownership with expiry. Not Meta: it trusts its two tokens.
 */
export const startSandboxGraph = async (options: SandboxOptions, port = 0) => {
  const now = options.now ?? Date.now;
  const pageSize = options.pageSize ?? 2;
  const wabas = fixtureWabas('116133292427920');
  const solutions = new Map(fixtureSolutions().map((solution) => [solution.id, solution]));
  const threads = new Map<string, { owner: string; expiresAt: number }>();
  const requests: { method: string; path: string; query: Record<string, string> }[] = [];

  const server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
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
    });
  });

  const notify = (solution: SandboxSolution) => {
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
              value: {
                event: 'SOLUTION_UPDATED',
                solution_id: solution.id,
                solution_status: solution.status,
              },
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

  const threadOwner = (key: string) => {
    const thread = threads.get(key);
    if (thread === undefined || thread.expiresAt <= now()) return undefined;
    return thread;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://sandbox');
    const query = Object.fromEntries(url.searchParams);
    const method = request.method ?? 'GET';
    requests.push({ method, path: url.pathname, query });
    const parts = url.pathname.split('/').filter(Boolean);
    if (!VERSION_PATTERN.test(parts[0] ?? ''))
      throw new GraphFailure(400, 2635, `unknown API version; use one like ${SANDBOX_VERSION}`);
    const [, node = '', edge] = parts;
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? query.access_token;
    const isPageCall = edge !== undefined && /thread/.test(edge);
    const expected = isPageCall ? options.pageToken : options.systemUserToken;
    if (token !== expected)
      throw new GraphFailure(401, 190, 'Invalid OAuth access token - Cannot parse access token');

    if (method === 'GET' && node === options.businessId && edge === 'client_whatsapp_business_accounts') {
      let filtered = wabas;
      if (query.filtering !== undefined) {
        const filters = JSON.parse(query.filtering) as { field: string; operator: string; value: string[] }[];
        for (const filter of filters) {
          if (filter.field !== 'partners' || filter.operator !== 'ALL')
            throw new GraphFailure(400, 100, 'unsupported filter');
          filtered = filtered.filter((waba) => filter.value.every((id) => waba.partners.includes(id)));
        }
      }
      const limit = Math.min(Number(query.limit ?? pageSize), pageSize);
      const start = Number(query.after ?? 0);
      const data = filtered
        .slice(start, start + limit)
        .map(({ partners: _p, solutions: _s, ...waba }) => waba);
      const next = start + limit < filtered.length ? new URL(url) : undefined;
      next?.searchParams.set('after', String(start + limit));
      return sendJson(response, 200, {
        data,
        paging: {
          cursors: { before: String(start), after: String(start + limit) },
          ...(next ? { next: `http://${request.headers.host}${next.pathname}${next.search}` } : {}),
        },
      });
    }
    if (method === 'GET' && edge === 'solutions') {
      const waba = wabas.find((candidate) => candidate.id === node);
      const data = (waba?.solutions ?? [])
        .map((id) => solutions.get(id))
        .filter((s) => s !== undefined)
        .map((s) => ({
          id: s.id,
          name: s.name,
          status: s.status,
          status_for_pending_request: s.status_for_pending_request,
        }));
      return sendJson(response, 200, { data, paging: { cursors: { before: '0', after: '0' } } });
    }
    if (method === 'GET' && node === options.appId && edge === 'whatsapp_business_solutions') {
      const data = [...solutions.values()].map((s) => ({
        name: s.name,
        status: s.status,
        status_for_pending_request: s.status_for_pending_request,
        id: s.id,
      }));
      return sendJson(response, 200, { data, paging: { cursors: { before: '0', after: '0' } } });
    }
    const solution = solutions.get(node);
    if (solution !== undefined) {
      if (method === 'GET' && edge === undefined) {
        return sendJson(response, 200, {
          id: solution.id,
          name: solution.name,
          status: solution.status,
          owner_permissions: PERMISSIONS,
          partners: {
            data: [
              {
                partner_permissions: solution.permissions,
                partner_app: solution.partnerApp,
                id: `${solution.id}1`,
                status: 'ACCEPTED',
              },
            ],
          },
        });
      }
      if (method === 'GET' && edge === 'access_token') {
        if (query.business_id === undefined) throw new GraphFailure(400, 100, 'business_id is required');
        return sendJson(response, 200, {
          data: [{ access_token: `EAAsandbox${randomBytes(12).toString('hex')}` }],
        });
      }
      const transition = edge === undefined ? undefined : SOLUTION_TRANSITIONS[edge];
      if (method === 'POST' && transition !== undefined) {
        if (!transition.from.includes(solution.status))
          throw new GraphFailure(
            400,
            100,
            `solution is ${solution.status}; ${edge} needs ${transition.from.join(' or ')}`,
            2388098,
          );
        if (transition.ownerOnly && !solution.ownedByUs)
          throw new GraphFailure(400, 10, 'only the solution owner can do this');
        if (transition.invitedOnly && solution.ownedByUs)
          throw new GraphFailure(400, 10, 'only the invited partner can do this');
        solution.status = transition.to;
        solution.status_for_pending_request =
          transition.to === 'PENDING_DEACTIVATION' ? 'PENDING_DEACTIVATION' : 'NONE';
        notify(solution);
        return sendJson(response, 200, { success: true });
      }
    }
    if (isPageCall) {
      const recipient = query.recipient ?? '';
      const psid = (() => {
        try {
          const parsed: unknown = JSON.parse(recipient);
          return typeof parsed === 'object' && parsed !== null
            ? String((parsed as { id?: unknown }).id ?? '')
            : recipient;
        } catch {
          return recipient;
        }
      })();
      if (psid === '') throw new GraphFailure(400, 100, 'recipient is required');
      const key = `${node}:${psid}`;
      const current = threadOwner(key);
      const us = options.appId;
      const expiration = (ms: number) => Math.floor(ms / 1000);
      switch (`${method} ${edge}`) {
        case 'GET thread_owner':
          return sendJson(response, 200, {
            data:
              current === undefined
                ? []
                : [{ thread_owner: { app_id: current.owner, expiration: expiration(current.expiresAt) } }],
          });
        case 'POST take_thread_control': {
          // The sandbox makes our app the Primary Receiver, which may always take control.
          const taken = { owner: us, expiresAt: now() + DAY_MS };
          threads.set(key, taken);
          return sendJson(response, 200, {
            data: [{ thread_owner: { app_id: us, expiration: expiration(taken.expiresAt) } }],
          });
        }
        case 'POST pass_thread_control':
          if (query.target_app_id === undefined)
            throw new GraphFailure(400, 100, 'target_app_id is required');
          threads.set(key, { owner: query.target_app_id, expiresAt: now() + DAY_MS });
          return sendJson(response, 200, { success: true });
        case 'POST release_thread_control':
          if (current?.owner !== us)
            throw new GraphFailure(400, 10, 'your app does not control this thread', 2018300);
          threads.delete(key);
          return sendJson(response, 200, { success: true });
        case 'POST extend_thread_control': {
          const duration = Number(query.duration);
          if (!Number.isInteger(duration) || duration < 1 || duration > MAX_EXTEND_SECONDS)
            throw new GraphFailure(400, 100, 'duration must be 1 to 604800 seconds');
          if (current?.owner !== us)
            throw new GraphFailure(400, 10, 'your app does not control this thread', 2018300);
          threads.set(key, { owner: us, expiresAt: now() + duration * 1000 });
          return sendJson(response, 200, { success: true });
        }
        case 'POST request_thread_control':
        case 'POST pass_thread_metadata':
          return sendJson(response, 200, { success: true });
      }
    }
    throw new GraphFailure(400, 100, `Unsupported ${method} request: ${url.pathname}`, 33);
  };

  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  const address = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${address.port}/${SANDBOX_VERSION}`,
    requests,
    solutions,
    close: () => closeServer(server),
  };
};
