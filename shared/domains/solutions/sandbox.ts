import {
  GraphFailure,
  ok,
  requireToken,
  SandboxKey,
  type SandboxPart,
  type SandboxRequest,
  type SandboxWorld,
} from '../../platform/sandbox/context.js';

export interface SandboxSolution {
  id: string;
  name: string;
  status: string;
  status_for_pending_request: string;
  ownedByUs: boolean;
  partnerApp: { id: string; name: string; link: string };
  permissions: string[];
}

/**
 * How Graph shows a solution: a waiting deactivation request is `status: ACTIVE` beside
 * `status_for_pending_request: PENDING_DEACTIVATION`, while the webhook says `PENDING_DEACTIVATION` outright.
 */
export const graphSolution = (solution: SandboxSolution) => ({
  id: solution.id,
  name: solution.name,
  status: solution.status === 'PENDING_DEACTIVATION' ? 'ACTIVE' : solution.status,
  status_for_pending_request: solution.status_for_pending_request,
});

export const PERMISSIONS = [
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

export const fixtureSolutions = (): SandboxSolution[] => [
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

export const SOLUTION_TRANSITIONS: Record<
  string,
  { from: string[]; to: string; ownerOnly?: boolean; invitedOnly?: boolean }
> = {
  accept: { from: ['INITIATED', 'PENDING'], to: 'ACTIVE', invitedOnly: true },
  reject: { from: ['INITIATED', 'PENDING'], to: 'REJECTED', invitedOnly: true },
  send_deactivation_request: { from: ['ACTIVE'], to: 'PENDING_DEACTIVATION', ownerOnly: true },
  accept_deactivation_request: { from: ['PENDING_DEACTIVATION'], to: 'DEACTIVATED' },
  reject_deactivation_request: { from: ['PENDING_DEACTIVATION'], to: 'ACTIVE' },
};

/** The solutions Meta knows in the sandbox, by ID: the WABAs part lists each WABA's. */
export const SANDBOX_SOLUTIONS = new SandboxKey<Map<string, SandboxSolution>>('solutions');

/** Meta sends a `partner_solutions` webhook after a solution changes; the sandbox does the same. */
const solutionWebhook = (world: SandboxWorld, solution: SandboxSolution) => ({
  object: 'whatsapp_business_account',
  entry: [
    {
      id: world.businessId,
      time: Math.floor(world.now() / 1000),
      changes: [
        {
          field: 'partner_solutions',
          value: { event: 'SOLUTION_UPDATED', solution_id: solution.id, solution_status: solution.status },
        },
      ],
    },
  ],
});

/** `GET /<SOLUTION_ID>`, its business tokens, and the solution state machine (accept, reject, deactivation). */
const answerSolution = (
  world: SandboxWorld,
  solutions: Map<string, SandboxSolution>,
  request: SandboxRequest,
) => {
  const { method, node, edge, query } = request;
  const solution = solutions.get(node);
  if (solution === undefined) return undefined;
  requireToken(request, 'system');
  if (method === 'GET' && edge === undefined) {
    return ok({
      ...graphSolution(solution),
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
    // A business token the world recognises on later calls (the customer's WABA edges take it).
    return ok({ data: [{ access_token: world.issueToken('business') }] });
  }
  const transition = edge === undefined ? undefined : SOLUTION_TRANSITIONS[edge];
  if (method !== 'POST' || transition === undefined) return undefined;
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
  world.deliver(solutionWebhook(world, solution));
  // Meta's deactivation answers return the solution object; the others say {"success": true}.
  const answersWithSolution =
    edge === 'accept_deactivation_request' || edge === 'reject_deactivation_request';
  return ok(
    answersWithSolution ? { ...graphSolution(solution), owner_permissions: PERMISSIONS } : { success: true },
  );
};

/** The app's solutions, `GET /<APP_ID>/whatsapp_business_solutions`. */
const answerAppSolutions = (
  world: SandboxWorld,
  solutions: Map<string, SandboxSolution>,
  request: SandboxRequest,
) => {
  if (
    request.method !== 'GET' ||
    request.node !== world.appId ||
    request.edge !== 'whatsapp_business_solutions'
  )
    return undefined;
  requireToken(request, 'system');
  return ok({
    data: [...solutions.values()].map(graphSolution),
    paging: { cursors: { before: '0', after: '0' } },
  });
};

/** Solutions in the sandbox: the reference's examples and the solution state machine (accept, reject, deactivation). */
export const solutionsSandbox = (world: SandboxWorld): SandboxPart => {
  const solutions = new Map(fixtureSolutions().map((solution) => [solution.id, solution]));
  world.provide(SANDBOX_SOLUTIONS, solutions);
  return {
    answer: (request) =>
      answerAppSolutions(world, solutions, request) ?? answerSolution(world, solutions, request),
    // What actions change: each solution's status (kept across local mode's restarts).
    snapshot: () =>
      Object.fromEntries(
        [...solutions].map(([id, solution]) => [
          id,
          { status: solution.status, status_for_pending_request: solution.status_for_pending_request },
        ]),
      ),
    restore: (saved) => {
      for (const [id, value] of Object.entries(saved)) {
        const solution = solutions.get(id);
        if (solution === undefined || typeof value !== 'object' || value === null) continue;
        const { status, status_for_pending_request: pending } = value as Record<string, unknown>;
        if (typeof status !== 'string' || typeof pending !== 'string') continue;
        solution.status = status;
        solution.status_for_pending_request = pending;
      }
    },
  };
};
