/**
 * `npx tsx bench/relay.ts [--quick]`: what the relay adds to the webhook's answer, the deliverer's CPU beside its
 * floor, and the cost per million relayed deliveries beside the same architecture's floor. A full run rewrites
 * the relay section of BENCHMARKS.md (between its markers). Reports only: nothing fails on a timing.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';

const { measureRelayLatency } = await import('./relay-latency.js');
const { measureDelivererCpu, relayCostModel, RELAY_ASSUMPTIONS } = await import('./relay-cost.js');

// Not strict: `npm run bench` imports this file last, with its own flags.
const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } }, strict: false });
const quick = values.quick === true;
const lines: string[] = [];
const say = (line = '') => {
  lines.push(line);
  console.log(line);
};
const table = (headers: string[], rows: (string | number)[][]) => {
  say(`| ${headers.join(' | ')} |`);
  say(`|${headers.map(() => ' --- ').join('|')}|`);
  for (const row of rows) say(`| ${row.join(' | ')} |`);
  say();
};
const ms = (value: number) => `${value.toFixed(1)} ms`;
const money = (value: number) => `$${value.toFixed(3)}`;

say(
  `Run: ${new Date().toISOString()}, ${quick ? 'quick' : 'full'}, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`,
);
say();

const latency = await measureRelayLatency(quick);
say(
  '#### What relaying adds to the webhook’s answer (one `messages` change per delivery, every send a drawn round trip)',
);
table(
  [
    'destinations',
    'answer p50 / p99',
    'added p50',
    'added p99',
    'SendMessageBatch per delivery',
    'CPU per delivery',
    'log bytes per delivery',
  ],
  latency.rows.map((row) => [
    row.destinations,
    `${ms(row.p50)} / ${ms(row.p99)}`,
    ms(row.addedP50Ms),
    ms(row.addedP99Ms),
    row.sendsPerDelivery,
    `${row.cpuMicros} µs`,
    row.logBytesPerDelivery,
  ]),
);
say(`${latency.deliveries} deliveries per variant, alternating.`);
say();

const cpu = await measureDelivererCpu(10, quick ? 50 : 500);
say('#### A destination’s deliverer: CPU per relayed copy (the destination answering at once)');
table(
  ['signing', 'ours µs', 'floor µs', 'ratio', 'log bytes per invocation'],
  cpu.map((row) => [
    row.signing,
    row.cpuMicrosPerRecord,
    row.floorCpuMicrosPerRecord,
    (row.cpuMicrosPerRecord / row.floorCpuMicrosPerRecord).toFixed(2),
    row.logBytesPerBatch,
  ]),
);

const costs = relayCostModel(latency, cpu);
say(
  `#### Cost per million deliveries relayed to one destination (destination round trip ${RELAY_ASSUMPTIONS.destinationRoundTripMs} ms, assumed)`,
);
const parts = Object.keys(costs[0]?.perMillion ?? {});
table(
  ['shape', ...parts, 'total', 'floor', 'ratio'],
  costs.map((row) => [
    row.name,
    ...parts.map((part) => money(row.perMillion[part] ?? 0)),
    `$${row.total.toFixed(2)}`,
    `$${row.floorTotal.toFixed(2)}`,
    row.ratio,
  ]),
);

if (!quick) {
  const file = join(dirname(fileURLToPath(import.meta.url)), '..', 'BENCHMARKS.md');
  const text = await readFile(file, 'utf8');
  const start = '<!-- relay:start -->';
  const end = '<!-- relay:end -->';
  if (text.includes(start) && text.includes(end)) {
    const before = text.slice(0, text.indexOf(start) + start.length);
    const after = text.slice(text.indexOf(end));
    await writeFile(file, `${before}\n${lines.join('\n')}\n${after}`);
  }
}
