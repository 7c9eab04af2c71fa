/** The sandbox Graph API's data: the reference's example WABAs and solutions, and its rules. */

export interface SandboxWaba {
  id: string;
  name: string;
  timezone_id: string;
  business_type: string;
  message_template_namespace: string;
  partners: string[];
  solutions: string[];
}

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

/** The Instagram account of Meta's Instagram handover examples, linked to the Messenger examples' Page. */
export const SANDBOX_INSTAGRAM_LINKS: ReadonlyMap<string, string> = new Map([
  ['17841405822304914', '104508901353867'],
]);

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

export class GraphFailure extends Error {
  public constructor(
    public readonly status: number,
    public readonly code: number,
    message: string,
    public readonly subcode?: number,
  ) {
    super(message);
  }
}

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
