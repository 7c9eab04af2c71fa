/**
 * A bounded open-loop load generator on loopback: sends signed PARTNER_ADDED deliveries at a fixed rate
 * (at most 256 in flight; anything beyond is counted as skipped, never queued up) and prints a JSON
 * summary of response latencies. Runs in its own process so it does not share the server's event loop.
 */
import { signBody } from '../shared/platform/http/signature.js';

const [url = '', rateText = '200', secondsText = '30', secret = '', prefix = '9'] = process.argv.slice(2);
const rate = Number(rateText);
const total = Math.round(rate * Number(secondsText));
const MAX_IN_FLIGHT = 256;

const delivery = (index: number) =>
  JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '506914307656634',
        time: 1_700_000_000 + index,
        changes: [
          {
            field: 'account_update',
            value: {
              event: 'PARTNER_ADDED',
              waba_info: {
                waba_id: `${prefix}${index}`,
                owner_business_id: `7${index}`,
                solution_id: '303610109049230',
                solution_partner_business_ids: ['506914307656634'],
              },
            },
          },
        ],
      },
    ],
  });

const latencies: number[] = [];
const statuses: Record<string, number> = {};
let inFlight = 0;
let skipped = 0;
const started = performance.now();
const pending: Promise<void>[] = [];

const send = async (index: number) => {
  const body = delivery(index);
  const headers = { 'content-type': 'application/json', 'x-hub-signature-256': signBody(body, secret) };
  const begin = performance.now();
  inFlight += 1;
  try {
    const response = await fetch(url, { method: 'POST', headers, body });
    await response.arrayBuffer();
    statuses[response.status] = (statuses[response.status] ?? 0) + 1;
  } catch {
    statuses.error = (statuses.error ?? 0) + 1;
  } finally {
    inFlight -= 1;
    latencies.push(performance.now() - begin);
  }
};

for (let index = 0; index < total; index++) {
  const due = started + (index * 1000) / rate;
  const wait = due - performance.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  if (inFlight >= MAX_IN_FLIGHT) {
    skipped += 1;
    continue;
  }
  pending.push(send(index));
}
await Promise.all(pending);
const ordered = latencies.sort((a, b) => a - b);
const at = (p: number) =>
  ordered[Math.min(ordered.length - 1, Math.max(0, Math.ceil((p / 100) * ordered.length) - 1))] ?? Number.NaN;
process.stdout.write(
  JSON.stringify({
    sent: total - skipped,
    skipped,
    statuses,
    durationMs: performance.now() - started,
    p50: at(50),
    p99: at(99),
    max: at(100),
  }),
);
