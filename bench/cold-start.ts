/**
 * Groups 1–2 and 2b of `npm run bench`: the bundles `cdk synth` writes, each started as Lambda starts it (the
 * runtime's Node and flags, the template's environment with its NODE_OPTIONS, a task root holding only the
 * asset), against floors built with the same esbuild options and started the same way; then what source maps
 * cost a cold start on each Node version.
 */
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BundleFigures, HOT_PATH, measureBundles, rebuildMatches } from './bundles.js';
import { type NodeBinary, nodeFor, synthesizeFunctions } from './deployed.js';
import { TaskRoots } from './lambda-start.js';
import { measureSourceMaps, type SourceMapFigures } from './source-maps.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const CDK_OUT = join(root, 'bench', 'out', 'cdk.out');

type Say = (line?: string) => void;
type Table = (headers: string[], rows: (string | number)[][]) => void;

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
const ms = (value: number) => `${value.toFixed(1)} ms`;
const goal = (met: boolean) => (met ? 'met' : '**not met**');
const spread = (s: { median: number; p25: number; p75: number }) =>
  `${ms(s.median)} [${s.p25.toFixed(1)}–${s.p75.toFixed(1)}]`;
const ratioWith = (ratio: number, [low, high]: [number, number]) => `${ratio} [${low}–${high}]`;

const describeNode = (node: NodeBinary) =>
  node.exact
    ? `Node ${node.version} (${node.runtime})`
    : `Node ${node.version} — **not ${node.runtime}**: its build could not be fetched (npm pack node-${process.platform}-${process.arch}), so this machine's Node stands in`;

const bundleRows = (bundles: BundleFigures[]) =>
  bundles.map((b) => {
    const hot = HOT_PATH.includes(b.name);
    const ratio = ratioWith(b.importRatio, b.importRatioSpread);
    return [
      b.name,
      b.floor ?? '—',
      kb(b.bytes),
      kb(b.mapBytes),
      b.floor === undefined ? '—' : kb(b.floorBytes),
      b.floor === undefined ? '—' : `${b.sizeRatio} ${hot ? goal(b.sizeRatio <= 1.2) : '(no goal)'}`,
      spread(b.importMs),
      b.floorImportMs === undefined ? '—' : ms(b.floorImportMs.median),
      b.floor === undefined ? '—' : ratio,
      `${ms(b.cpuMs.median)}${b.floorCpuMs === undefined ? '' : ` / ${ms(b.floorCpuMs.median)}`}`,
      b.floor === undefined ? '—' : `${b.cpuRatio} ${hot ? goal(b.cpuRatio <= 1.15) : '(no goal)'}`,
      b.networkAtImport ? '**yes**' : 'none',
    ];
  });

const BUNDLE_HEADERS = [
  'function',
  'floor',
  'size',
  'map',
  'floor size',
  'size ratio (goal ≤ 1.20)',
  'import median [p25–p75]',
  'floor import',
  'wall ratio, paired median [p25–p75]',
  'import CPU: ours / floor',
  'import CPU ratio, paired (goal ≤ 1.15)',
  'network at import',
];

const sourceMapRows = (figures: SourceMapFigures[]) =>
  figures.map((f) => [
    f.name,
    f.node,
    `${ms(f.enabled.median)} / ${ms(f.presentNotEnabled.median)} / ${ms(f.none.median)}`,
    ratioWith(f.enabledRatio, f.enabledRatioSpread),
    f.enabledCpuRatio,
    `${f.enabledHeapMiB >= 0 ? '+' : ''}${f.enabledHeapMiB} MiB`,
    f.readAtImport ? '**yes**' : 'no',
    spread(f.firstStackMs),
    `${f.firstStackHeapMiB} MiB`,
  ]);

const SOURCE_MAP_HEADERS = [
  'function',
  'Node',
  'import: option on / off (map present) / no map',
  'option on ÷ no map: wall, paired [p25–p75]',
  'CPU, paired',
  'heap after import',
  'map read at import',
  'first stack trace through the bundle (option on)',
  'heap it adds',
];

export interface ColdStartOptions {
  quick: boolean;
  say: Say;
  table: Table;
}

/** Synthesizes, measures and prints groups 1–2 and 2b; returns the figures for results.json. */
export const measureColdStarts = async ({ quick, say, table }: ColdStartOptions) => {
  const synthStarted = Date.now();
  await rm(CDK_OUT, { recursive: true, force: true });
  const functions = synthesizeFunctions(root, CDK_OUT);
  const synthSeconds = Math.round((Date.now() - synthStarted) / 1000);
  const runtime = functions[0]?.runtime ?? 'nodejs24.x';
  const primary = nodeFor(runtime, root);
  const roots = new TaskRoots();
  try {
    const webhook = functions.find((fn) => fn.service === 'webhook');
    const alike = webhook === undefined ? false : await rebuildMatches(roots, webhook);
    const nodeOptions = [...new Set(functions.map((fn) => fn.env.NODE_OPTIONS ?? '(unset)'))].join(', ');
    say(
      '### 1–2. Bundle size and import time: the bundles `cdk synth` writes, started as Lambda starts them',
    );
    say(
      `\`cdk synth\` (${synthSeconds} s) into bench/out/cdk.out; every function's asset copied into a task root of its own and started by ${describeNode(primary)} with the runtime's flags and the template's environment (NODE_OPTIONS: \`${nodeOptions}\`). Floors: built with the same esbuild options (they rebuild the webhook's index.mjs byte for byte: ${alike ? 'yes' : '**no**'}), started the same way with the same environment.`,
    );
    say();
    const bundles = await measureBundles(roots, functions, primary, quick ? 3 : 21);
    table(BUNDLE_HEADERS, bundleRows(bundles));

    const extras: BundleFigures[] = [];
    if (!quick) {
      for (const other of ['nodejs22.x', 'nodejs20.x'].filter((each) => each !== runtime)) {
        const node = nodeFor(other, root);
        if (!node.exact) continue;
        const hot = functions.filter((fn) => HOT_PATH.includes(fn.service));
        extras.push(...(await measureBundles(roots, hot, node, 11)));
      }
      say(`Other Node versions, same bundles and environment (reported only; Lambda runs ${runtime}):`);
      say();
      table(
        [
          'function',
          'Node',
          'import median [p25–p75]',
          'floor import',
          'import ratio [p25–p75]',
          'CPU ratio',
        ],
        extras.map((b) => [
          b.name,
          b.node,
          spread(b.importMs),
          b.floorImportMs === undefined ? '—' : ms(b.floorImportMs.median),
          ratioWith(b.importRatio, b.importRatioSpread),
          b.cpuRatio,
        ]),
      );
    }

    say('### 2b. What source maps cost a cold start (docs/decisions/source-maps.md)');
    const studied = functions.filter((fn) =>
      quick ? fn.service === 'webhook' : HOT_PATH.includes(fn.service),
    );
    const nodes = quick
      ? [primary]
      : [primary, ...['nodejs22.x', 'nodejs20.x'].map((each) => nodeFor(each, root))].filter(
          (node, index, all) =>
            node.exact && all.findIndex((each) => each.version === node.version) === index,
        );
    const sourceMaps = await measureSourceMaps(roots, studied, nodes, quick ? 3 : 11);
    table(SOURCE_MAP_HEADERS, sourceMapRows(sourceMaps));
    return { node: primary, synthSeconds, rebuiltAlike: alike, bundles, extras, sourceMaps };
  } finally {
    await roots.dispose();
  }
};
