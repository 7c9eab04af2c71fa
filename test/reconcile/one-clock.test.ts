import { describe, expect, it } from 'vitest';
import { deliver, readJson } from '../support/corpus.js';
import { useFakeGraph } from '../support/fake-graph.js';
import { useLocalStackWithGraph } from '../support/local-stack.js';

/**
 * A sweep's reading taken just before Meta's webhook never overrides it. Local mode with a Graph stand-in that
 * holds the solutions listing (the sweep's request is sent: its reading is taken) until Meta's ACTIVE webhook has
 * been applied, then answers what Meta read before the change (PENDING), as a listing in flight would.
 */
const graph = useFakeGraph();
const local = useLocalStackWithGraph(graph);
const SOLUTION = '881000000000001';

const solutionWebhook = (status: string, seconds: number) => ({
  object: 'whatsapp_business_account',
  entry: [
    {
      id: local.stack.env.META_BUSINESS_ID,
      time: seconds,
      changes: [
        {
          field: 'partner_solutions',
          value: { event: 'SOLUTION_UPDATED', solution_id: SOLUTION, solution_status: status },
        },
      ],
    },
  ],
});

const statusEvents = () =>
  local.stack.events.items
    .filter((event) => event.detail.solutionId === SOLUTION)
    .map((event) => `${String(event.detail.previousStatus)}→${String(event.detail.status)}`);

const reconcile = () => readJson(local.stack, '/v1/reconcile', { method: 'POST' });

describe('a reconciliation reading taken before a webhook', () => {
  it('never overrides it: one event for one change, and the next sweep changes nothing', async () => {
    // Prepare: PENDING a minute ago; Meta's listing then holds its answer while Meta turns the solution ACTIVE
    await deliver(local.stack, solutionWebhook('PENDING', Math.floor(Date.now() / 1000) - 60));
    const { META_BUSINESS_ID: business, META_APP_ID: app } = local.stack.env;
    graph.on(`GET /${business}/client_whatsapp_business_accounts`, { body: { data: [] } });
    graph.on(`GET /${app}/whatsapp_business_solutions`, async () => {
      await deliver(local.stack, solutionWebhook('ACTIVE', Math.floor(Date.now() / 1000)));
      // Meta's answer reaches us in a later second than its webhook's whole second.
      await new Promise((resolve) => setTimeout(resolve, 1_000 - (Date.now() % 1000) + 5));
      return { body: { data: [{ id: SOLUTION, status: 'PENDING' }] } };
    });

    // Act
    const first = await reconcile();
    graph.on(`GET /${app}/whatsapp_business_solutions`, {
      body: { data: [{ id: SOLUTION, status: 'ACTIVE' }] },
    });
    const second = await reconcile();
    await local.stack.drain();

    // Assess
    expect([first.status, second.status]).toEqual([200, 200]);
    expect((await readJson(local.stack, `/v1/solutions/${SOLUTION}`)).body).toMatchObject({
      status: 'ACTIVE',
    });
    expect(statusEvents()).toEqual(['null→PENDING', 'PENDING→ACTIVE']);
  });
});
