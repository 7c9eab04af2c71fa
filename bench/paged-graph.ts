import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A Graph API stand-in for the reconciliation benchmarks: `client_whatsapp_business_accounts` as `pages` pages of
 * `perPage` WABAs linked by `paging.next`, `/<WABA_ID>/solutions` answered with `solutions`, anything else an
 * empty list; every request answered after `latencyMs`.
 */
export const startPagedGraph = async (options: {
  pages: number;
  perPage: number;
  latencyMs: number;
  idOf: (index: number) => string;
  solutions: { id: string }[];
}) => {
  const { pages, perPage, latencyMs, idOf, solutions } = options;
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://graph');
    const reply = (body: unknown) =>
      setTimeout(() => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(body));
      }, latencyMs);
    if (url.pathname.endsWith('/solutions')) return reply({ data: solutions });
    if (!url.pathname.endsWith('/client_whatsapp_business_accounts')) return reply({ data: [] });
    const page = Number(url.searchParams.get('after') ?? 0);
    const data = Array.from({ length: perPage }, (_, index) => {
      const id = idOf(page * perPage + index);
      return {
        id,
        name: `Customer ${id}`,
        timezone_id: '7',
        business_type: 'ent',
        message_template_namespace: `ns_${id}`,
      };
    });
    const next =
      page + 1 < pages ? `http://${request.headers.host}${url.pathname}?after=${page + 1}` : undefined;
    return reply({
      data,
      paging: { cursors: { before: String(page), after: String(page + 1) }, ...(next ? { next } : {}) },
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v26.0`;
  return { base, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
};
