import {
  GraphFailure,
  ok,
  requireToken,
  SandboxKey,
  type SandboxPart,
  type SandboxRequest,
  type SandboxWorld,
} from '../../platform/sandbox/context.js';
import { graphSolution, SANDBOX_SOLUTIONS } from '../solutions/sandbox.js';

export interface SandboxWaba {
  id: string;
  name: string;
  timezone_id: string;
  business_type: string;
  message_template_namespace: string;
  partners: string[];
  solutions: string[];
}

/** Customer WABAs from the reference's examples, plus some no webhook fixture announces. */
export const fixtureWabas = (partner: string): SandboxWaba[] => [
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

/** The customer WABAs Meta knows in the sandbox. */
export const SANDBOX_WABAS = new SandboxKey<SandboxWaba[]>('wabas');

/** `client_whatsapp_business_accounts` (paged, with the partner filter), `/<WABA>/solutions`, the app's solutions. */
const answerListing = (world: SandboxWorld, wabas: SandboxWaba[], request: SandboxRequest) => {
  const { method, node, edge, query, url } = request;
  if (method !== 'GET') return undefined;
  if (node === world.businessId && edge === 'client_whatsapp_business_accounts') {
    requireToken(request, 'system');
    let filtered = wabas;
    if (query.filtering !== undefined) {
      const filters = JSON.parse(query.filtering) as { field: string; operator: string; value: string[] }[];
      for (const filter of filters) {
        if (filter.field !== 'partners' || filter.operator !== 'ALL')
          throw new GraphFailure(400, 100, 'unsupported filter');
        filtered = filtered.filter((waba) => filter.value.every((id) => waba.partners.includes(id)));
      }
    }
    const limit = Math.min(Number(query.limit ?? world.pageSize), world.pageSize);
    const start = Number(query.after ?? 0);
    const data = filtered.slice(start, start + limit).map(({ partners: _p, solutions: _s, ...waba }) => waba);
    const next = start + limit < filtered.length ? new URL(url) : undefined;
    next?.searchParams.set('after', String(start + limit));
    return ok({
      data,
      paging: {
        cursors: { before: String(start), after: String(start + limit) },
        ...(next ? { next: `http://${request.host}${next.pathname}${next.search}` } : {}),
      },
    });
  }
  if (edge === 'solutions') {
    requireToken(request, 'system');
    const solutions = world.get(SANDBOX_SOLUTIONS);
    const waba = wabas.find((candidate) => candidate.id === node);
    const data = (waba?.solutions ?? [])
      .map((id) => solutions.get(id))
      .filter((solution) => solution !== undefined)
      .map(graphSolution);
    return ok({ data, paging: { cursors: { before: '0', after: '0' } } });
  }
  return undefined;
};

/** Customer WABAs in the sandbox: paged `client_whatsapp_business_accounts` with the partner filter, and their solutions. */
export const wabasSandbox = (world: SandboxWorld): SandboxPart => {
  const wabas = fixtureWabas('116133292427920');
  world.provide(SANDBOX_WABAS, wabas);
  return { answer: (request) => answerListing(world, wabas, request) };
};
