/**
 * `npm run bench` prints every figure beside its floor and writes bench/results.json; a full run also
 * rewrites the results section of BENCHMARKS.md. `npm run bench -- --quick` runs everything small
 * (under a minute) so CI keeps the benchmarks working. Benchmarks report; they never fail on timing.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';

const { measureColdStarts } = await import('./cold-start.js');
const { measureWebhookCpu, measureSqsRequests } = await import('./webhook-cpu.js');
const { measureArchiveLatency } = await import('./archive-latency.js');
const { measureLoad } = await import('./load.js');
const { measureReconcile } = await import('./reconcile.js');
const { measureLargeSweep, LAMBDA_RUN_BUDGET_MS } = await import('./sweep.js');
const { costModel, measureConsumerCpu, measureItemSizes, ASSUMPTIONS, PRICES } = await import('./cost.js');
const { measureMessagesWebhook, measureMessagesConsumer, measureThreadItemBytes } = await import(
  './messages-cost.js'
);
const { messagesCostModel } = await import('./messages-model.js');

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    // The full sweep (10,000 pages at 100 ms: about 17 minutes of paging, an hour in all); fewer for a try.
    'sweep-pages': { type: 'string' },
  },
});
const quick = values.quick;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
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
const goal = (met: boolean) => (met ? 'met' : '**not met**');
const started = Date.now();

say(
  `Run: ${new Date().toISOString()}, ${quick ? 'quick' : 'full'}, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`,
);
say();

const coldStarts = await measureColdStarts({ quick, say, table });

say('### 3. Webhook CPU per delivery (SQS stubbed at the SDK HTTP handler)');
const cpu = await measureWebhookCpu(quick);
table(
  ['changes', 'ours µs median [p25–p75]', 'floor µs', 'ratio', 'log bytes per delivery'],
  cpu.map((c) => [
    c.changes,
    `${c.ours.median.toFixed(0)} [${c.ours.p25.toFixed(0)}–${c.ours.p75.toFixed(0)}]`,
    c.floor.median.toFixed(0),
    c.ratio,
    c.logBytesPerDelivery,
  ]),
);

say('### 3b. What the archive adds to the webhook answer (SQS and Firehose round trips drawn alike)');
const archiveLatency = await measureArchiveLatency(quick);
table(
  ['deliveries', 'without archive p50 / p99', 'with archive p50 / p99', 'added p50', 'added p99'],
  [
    [
      archiveLatency.deliveries,
      `${ms(archiveLatency.without.p50)} / ${ms(archiveLatency.without.p99)}`,
      `${ms(archiveLatency.with.p50)} / ${ms(archiveLatency.with.p99)}`,
      ms(archiveLatency.addedP50Ms),
      ms(archiveLatency.addedP99Ms),
    ],
  ],
);

say('### 4. Local mode under load (loopback generator in its own process)');
const load = await measureLoad(quick ? 100 : 200, quick ? 3 : 30);
table(
  [
    'rate',
    'sent',
    'answers',
    'response p50',
    'response p99 (goal ≤ 50 ms)',
    'accepted → readable p50',
    'accepted → readable p99 (goal ≤ 250 ms)',
    'lost',
  ],
  [
    [
      `${load.rate}/s × ${load.seconds} s`,
      `${load.sent} (+${load.skipped} skipped)`,
      JSON.stringify(load.statuses),
      ms(load.responseP50Ms),
      `${ms(load.responseP99Ms)} ${goal(load.responseP99Ms <= 50)}`,
      ms(load.acceptedToReadableP50Ms),
      `${ms(load.acceptedToReadableP99Ms)} ${goal(load.acceptedToReadableP99Ms <= 250)}`,
      `${load.lost} (${load.readableAtEnd} of ${load.statuses['200'] ?? 0} readable)`,
    ],
  ],
);

say('### 5. Requests per event');
const sqs = await measureSqsRequests();
table(
  ['measure', 'figure', 'goal'],
  [
    [
      'DynamoDB requests per applied event (load run)',
      `${load.dynamoRequestsPerEvent} (reads: ${load.dynamoReadsDuringLoad})`,
      `exactly 1, 0 reads: ${goal(load.dynamoRequestsPerEvent === 1 && load.dynamoReadsDuringLoad === 0)}`,
    ],
    ...sqs.map((row) => [
      `SQS send requests, delivery of ${row.changes} change(s)`,
      row.requests,
      `⌈n/10⌉ = ${row.goal}: ${goal(row.requests === row.goal)}`,
    ]),
  ],
);

say('### 6. Reconciliation against pure paging');
const reconcile = quick ? await measureReconcile(5, 100, 20) : await measureReconcile(100, 100, 100);
say(
  `${reconcile.wabas} WABAs over ${reconcile.pages} pages, ${reconcile.latencyMs} ms per Graph request; pure paging: ${ms(reconcile.pagingOnlyMs)}`,
);
say();
table(
  ['scenario', 'duration', 'ratio (goal ≤ 1.5)', 'discovered', 'written', 'solution lookups'],
  reconcile.runs.map((r) => [
    r.scenario,
    ms(r.ms),
    `${r.ratio} ${goal(r.ratio <= 1.5)}`,
    r.discovered,
    r.written,
    r.solutionLookups,
  ]),
);

// Quick: 20 pages (2,000 WABAs) keep the checkpoint-and-resume path working in CI; the full run measures it.
const sweepPages = Number(values['sweep-pages'] ?? (quick ? 20 : 10_000));
const sweepLatency = quick ? 20 : 100;
const sweepBudget = quick ? 1_500 : LAMBDA_RUN_BUDGET_MS;
say('### 6b. A partner with many WABAs: sweeps in runs that resume from the checkpoint');
const largeSweep = await measureLargeSweep(sweepPages, 100, sweepLatency, sweepBudget);
say(
  `${largeSweep.wabas.toLocaleString('en')} WABAs over ${largeSweep.pages.toLocaleString('en')} pages, ${largeSweep.latencyMs} ms per Graph request, runs of ${(largeSweep.runBudgetMs / 1000).toFixed(1)} s; pure paging: ${(largeSweep.pagingOnlyMs / 1000).toFixed(1)} s`,
);
say();
table(
  ['sweep', 'duration', 'ratio (goal ≤ 1.2)', 'runs', 'WABA writes', 'heap after each run (MiB)'],
  largeSweep.sweeps.map((s) => [
    s.scenario,
    `${(s.ms / 1000).toFixed(1)} s`,
    `${s.ratio} ${s.scenario.startsWith('steady') ? goal(s.ratio <= 1.2) : '(writes every WABA)'}`,
    s.runs,
    `${s.written}${s.scenario.startsWith('steady') ? ` (goal 0: ${goal(s.written === 0)})` : ''}`,
    s.heapMiB.join(', '),
  ]),
);

say('### 7. Cost per million events');
const consumer = await measureConsumerCpu(10, quick ? 20 : 200);
const itemSizes = measureItemSizes();
const cpuOf = (changes: number) => cpu.find((c) => c.changes === changes)?.ours.median ?? 0;
const floorCpuOf = (changes: number) => cpu.find((c) => c.changes === changes)?.floor.median ?? 0;
const scenarios = costModel({
  webhookCpuMicros: { oneChange: cpuOf(1), tenChanges: cpuOf(10) },
  floorWebhookCpuMicros: { oneChange: floorCpuOf(1), tenChanges: floorCpuOf(10) },
  webhookLogBytesPerDelivery: cpu[0]?.logBytesPerDelivery ?? 0,
  consumer,
  itemSizes,
});
say(
  `Measured inputs: webhook CPU ${cpuOf(1).toFixed(0)} µs (1 change) and ${cpuOf(10).toFixed(0)} µs (10 changes), floor ${floorCpuOf(1).toFixed(0)} and ${floorCpuOf(10).toFixed(0)} µs; consumer CPU ${consumer.cpuMicrosPerRecord.toFixed(0)} µs per record (floor ${consumer.floorCpuMicrosPerRecord.toFixed(0)}); log bytes ${cpu[0]?.logBytesPerDelivery ?? 0} per delivery and ${consumer.logBytesPerBatch} per consumer batch; items ${itemSizes.wabaBytes} B (WABA), ${itemSizes.solutionBytes} B (solution), ${itemSizes.threadBytes} B (thread).`,
);
say();
const parts = Object.keys(scenarios[0]?.perMillion ?? {});
table(
  ['scenario', ...parts, 'total', 'floor', 'ratio (goal ≤ 1.10)'],
  scenarios.map((s) => [
    s.name,
    ...parts.map((p) => `$${(s.perMillion[p] ?? 0).toFixed(3)}`),
    `$${s.total.toFixed(2)}`,
    `$${s.floorTotal.toFixed(2)}`,
    `${s.ratio} ${goal(s.ratio <= 1.1)}`,
  ]),
);

say(
  '### 7b. Cost per million inbound WhatsApp messages (messages-heavy shape: WhatsApp threads beside passthrough)',
);
const messagesInputs = {
  webhook: await measureMessagesWebhook(quick),
  consumer: await measureMessagesConsumer(quick),
  itemBytes: measureThreadItemBytes(),
};
const messages = messagesCostModel(messagesInputs);
say(
  `Measured inputs: webhook CPU ${messagesInputs.webhook.map((w) => `${w.oursMicros.toFixed(0)} µs (floor ${w.floorMicros.toFixed(0)}) for ${w.messages}`).join(', ')} message(s) per delivery; consumer CPU ${messagesInputs.consumer.cpuMicrosPerRecord.toFixed(0)} µs per record (floor ${messagesInputs.consumer.floorCpuMicrosPerRecord.toFixed(0)}); a busy thread's item ${messagesInputs.itemBytes} B.`,
);
say();
const messageParts = Object.keys(messages[0]?.perMillion ?? {});
table(
  ['messages per delivery', ...messageParts, 'total', 'floor', 'ratio (goal ≤ 1.10)'],
  messages.map((m) => [
    m.messagesPerDelivery,
    ...messageParts.map((p) => `$${(m.perMillion[p] ?? 0).toFixed(3)}`),
    `$${m.total.toFixed(2)}`,
    `$${m.floorTotal.toFixed(2)}`,
    `${m.ratio} ${goal(m.meetsGoal)}`,
  ]),
);

say(`Total benchmark time: ${((Date.now() - started) / 1000).toFixed(0)} s`);

const results = {
  quick,
  date: new Date().toISOString(),
  node: process.version,
  coldStarts,
  cpu,
  archiveLatency,
  load,
  sqs,
  reconcile,
  largeSweep,
  consumer,
  itemSizes,
  cost: { prices: PRICES, assumptions: ASSUMPTIONS, scenarios },
  messagesCost: { inputs: messagesInputs, scenarios: messages },
};
await writeFile(join(root, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
if (!quick) {
  const path = join(root, 'BENCHMARKS.md');
  const current = await readFile(path, 'utf8');
  const begin = '<!-- results:start -->';
  const end = '<!-- results:end -->';
  const at = current.indexOf(begin);
  const stop = current.indexOf(end);
  if (at >= 0 && stop > at) {
    await writeFile(
      path,
      `${current.slice(0, at + begin.length)}\n${lines.join('\n')}\n${current.slice(stop)}`,
    );
    console.log('BENCHMARKS.md results updated');
  }
}

// The relay's figures: bench/relay.ts (its own section of BENCHMARKS.md, rewritten on a full run).
await import('./relay.js');
