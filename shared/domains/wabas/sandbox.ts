import type { SandboxRequest, SandboxState } from '../../platform/sandbox/context.js';
import { ok } from '../../platform/sandbox/context.js';
import { GraphFailure, graphSolution } from '../../platform/sandbox/data.js';

/** `client_whatsapp_business_accounts` (paged, with the partner filter), `/<WABA>/solutions`, the app's solutions. */
export const answerListing = (state: SandboxState, request: SandboxRequest) => {
  const { method, node, edge, query, url } = request;
  if (method !== 'GET') return undefined;
  if (node === state.businessId && edge === 'client_whatsapp_business_accounts') {
    let filtered = state.wabas;
    if (query.filtering !== undefined) {
      const filters = JSON.parse(query.filtering) as { field: string; operator: string; value: string[] }[];
      for (const filter of filters) {
        if (filter.field !== 'partners' || filter.operator !== 'ALL')
          throw new GraphFailure(400, 100, 'unsupported filter');
        filtered = filtered.filter((waba) => filter.value.every((id) => waba.partners.includes(id)));
      }
    }
    const limit = Math.min(Number(query.limit ?? state.pageSize), state.pageSize);
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
    const waba = state.wabas.find((candidate) => candidate.id === node);
    const data = (waba?.solutions ?? [])
      .map((id) => state.solutions.get(id))
      .filter((solution) => solution !== undefined)
      .map(graphSolution);
    return ok({ data, paging: { cursors: { before: '0', after: '0' } } });
  }
  if (node === state.appId && edge === 'whatsapp_business_solutions') {
    return ok({
      data: [...state.solutions.values()].map(graphSolution),
      paging: { cursors: { before: '0', after: '0' } },
    });
  }
  return undefined;
};
