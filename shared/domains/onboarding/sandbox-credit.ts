import {
  GraphFailure,
  ok,
  requireToken,
  type SandboxAnswer,
  type SandboxRequest,
  type SandboxWorld,
} from '../../platform/sandbox/context.js';
import type { SandboxWabaState } from './sandbox-state.js';

/** An allocation config: our credit line shared with one customer business (all its attached WABAs). */
interface SandboxAllocation {
  id: string;
  receivingBusiness: string;
  receivingCredential: string;
  status: 'ACTIVE' | 'DELETED';
}

export interface CreditWorld {
  /** The Solution Partner's credit line (Meta's example ID), owned by our business. */
  lineId: string;
  owner: string;
  allocations: SandboxAllocation[];
}

/** The currencies Meta lists for a WABA's credit line. */
const CURRENCIES = new Set(['AUD', 'EUR', 'GBP', 'IDR', 'INR', 'USD']);

export const fixtureCredit = (businessId: string): CreditWorld => ({
  lineId: '1972385232742146',
  owner: businessId,
  allocations: [],
});

const invalid = (message: string) => new GraphFailure(400, 100, `(#100) Invalid parameter: ${message}`);

/** `POST /<CREDIT_LINE_ID>/whatsapp_credit_sharing_and_attach?waba_currency&waba_id` (system user token). */
const shareAndAttach = (
  credit: CreditWorld,
  states: Map<string, SandboxWabaState>,
  request: SandboxRequest,
) => {
  const { waba_currency: currency = '', waba_id: wabaId = '' } = request.query;
  const state = states.get(wabaId);
  if (state === undefined) throw invalid(`waba_id ${wabaId} is not a WABA shared with your business`);
  if (!CURRENCIES.has(currency))
    throw invalid(`waba_currency ${currency} is not supported (AUD, EUR, GBP, IDR, INR, USD)`);
  if (state.currency !== null && state.currency !== currency)
    throw invalid(`the WABA bills in ${state.currency}, not ${currency}`);
  if (state.primaryFundingId !== null) throw invalid('the WABA already has a credit line attached');
  let allocation = credit.allocations.find(
    (each) => each.receivingBusiness === state.owner && each.status === 'ACTIVE',
  );
  if (allocation === undefined) {
    const index = credit.allocations.length + 1;
    allocation = {
      id: `585014417212${String(index).padStart(2, '0')}`,
      receivingBusiness: state.owner,
      receivingCredential: `486523602354${String(index).padStart(4, '0')}`,
      status: 'ACTIVE',
    };
    credit.allocations.push(allocation);
  }
  state.primaryFundingId = allocation.receivingCredential;
  state.currency = currency;
  // As the credit-lines page shows it: both IDs as strings, no `success`.
  return ok({ allocation_config_id: allocation.id, waba_id: wabaId });
};

const allocationNode = (allocation: SandboxAllocation, fields: string) => {
  const wanted = new Set(fields.split(',').map((field) => field.trim()));
  return {
    ...(wanted.has('receiving_credential')
      ? { receiving_credential: { id: allocation.receivingCredential } }
      : {}),
    ...(wanted.has('receiving_business')
      ? {
          receiving_business: {
            name: `Business ${allocation.receivingBusiness}`,
            id: allocation.receivingBusiness,
          },
        }
      : {}),
    ...(wanted.has('request_status') ? { request_status: allocation.status } : {}),
    id: allocation.id,
  };
};

/** `DELETE /<ALLOCATION_CONFIG_ID>`: revoked for every WABA of the business it was shared with. */
const revoke = (allocation: SandboxAllocation, states: Map<string, SandboxWabaState>) => {
  allocation.status = 'DELETED';
  for (const state of states.values())
    if (state.primaryFundingId === allocation.receivingCredential) state.primaryFundingId = null;
  return ok({ success: true });
};

/** The credit line and its allocation configs; undefined for a call about neither. */
export const answerCredit = (
  _world: SandboxWorld,
  credit: CreditWorld,
  states: Map<string, SandboxWabaState>,
  request: SandboxRequest,
): SandboxAnswer | undefined => {
  const { method, node, edge, query } = request;
  if (node === credit.lineId) {
    requireToken(request, 'system');
    if (method === 'POST' && edge === 'whatsapp_credit_sharing_and_attach')
      return shareAndAttach(credit, states, request);
    if (method === 'GET' && edge === 'owning_credit_allocation_configs') {
      const business = query.receiving_business_id;
      const data = credit.allocations
        .filter((each) => business === undefined || each.receivingBusiness === business)
        .map((each) => allocationNode(each, query.fields ?? 'id,receiving_business'));
      return ok({ data, paging: { cursors: { before: '0', after: '0' } } });
    }
    return undefined;
  }
  const allocation = credit.allocations.find((each) => each.id === node);
  if (allocation === undefined || edge !== undefined) return undefined;
  requireToken(request, 'system');
  if (method === 'GET') return ok(allocationNode(allocation, query.fields ?? 'id'));
  if (method === 'DELETE') return revoke(allocation, states);
  return undefined;
};
