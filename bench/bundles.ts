import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { esbuildOptions } from '../infra/config/bundling.js';
import { DOMAINS } from '../shared/domains/registry.js';
import type { DeployedFunction, NodeBinary } from './deployed.js';
import { type InitFigures, type Start, startOnce, type TaskRoots } from './lambda-start.js';
import { round, summary } from './stats.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The floor each function is measured against (`bench/floors/`); a function without one is shown alone. */
export const FLOOR_OF: Readonly<Record<string, string>> = {
  webhook: 'webhook',
  ...Object.fromEntries(DOMAINS.map((domain) => [domain.name, 'consumer'])),
  api: 'read',
  reconcile: 'graph',
  actions: 'graph',
};

/** The goals are for the functions on the delivery path (issue 16): the webhook and the domain consumers. */
export const HOT_PATH: readonly string[] = ['webhook', ...DOMAINS.map((domain) => domain.name)];

/** What the floors read at cold start, beside the environment of the function they stand beside. */
const FLOOR_ENV = {
  QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/floor',
  TABLE_NAME: 'floor',
  META_APP_SECRET: 'floor',
  GRAPH_API_BASE_URL: 'https://graph.facebook.com/v26.0',
  TOKEN: 'floor',
};

const bytesOf = async (file: string): Promise<number> =>
  stat(file).then(
    (info) => info.size,
    () => 0,
  );

/** A floor built with the stack's own esbuild options into a task root of its own (`index.mjs` + map). */
export const buildFloor = async (roots: TaskRoots, floor: string): Promise<string> => {
  const taskRoot = await roots.empty(`floor-${floor}`);
  await build({
    ...esbuildOptions(),
    entryPoints: [join(root, 'bench', 'floors', `${floor}.ts`)],
    outfile: join(taskRoot, 'index.mjs'),
    logLevel: 'silent',
  });
  return taskRoot;
};

/**
 * Whether `esbuildOptions()` (what the floors are built with) rebuilds a function's `index.mjs` byte for byte
 * as `cdk synth` wrote it: if not, floors and functions would not be built alike and the report says so.
 */
export const rebuildMatches = async (roots: TaskRoots, fn: DeployedFunction): Promise<boolean> => {
  const taskRoot = await roots.empty(`rebuild-${fn.service}`);
  await build({
    ...esbuildOptions(),
    entryPoints: [join(root, 'functions', fn.service, 'handler.ts')],
    outfile: join(taskRoot, 'index.mjs'),
    logLevel: 'silent',
  });
  const [ours, synthesized] = await Promise.all([
    readFile(join(taskRoot, 'index.mjs')),
    readFile(join(fn.assetDir, 'index.mjs')),
  ]);
  return ours.equals(synthesized);
};

export interface BundleFigures {
  name: string;
  floor: string | undefined;
  node: string;
  nodeOptions: string;
  bytes: number;
  mapBytes: number;
  floorBytes: number;
  sizeRatio: number;
  importMs: ReturnType<typeof summary>;
  floorImportMs: ReturnType<typeof summary> | undefined;
  /** Median of the per-pair ratios (function / floor, started back to back), with its spread. */
  importRatio: number;
  importRatioSpread: [number, number];
  /** CPU time of the import (all of the process's threads), and its paired ratio: the import's work without the
   * time spent waiting for a core, which on a shared machine is most of the wall time's noise. */
  cpuMs: ReturnType<typeof summary>;
  floorCpuMs: ReturnType<typeof summary> | undefined;
  cpuRatio: number;
  networkAtImport: boolean;
}

/** `samples` cold starts of a function and of its floor, alternating which goes first. */
const pairedStarts = async (ours: Start, floor: Start | undefined, samples: number) => {
  const mine: InitFigures[] = [];
  const theirs: InitFigures[] = [];
  for (let sample = 0; sample < samples; sample++) {
    if (floor === undefined) {
      mine.push(await startOnce(ours));
    } else if (sample % 2 === 0) {
      mine.push(await startOnce(ours));
      theirs.push(await startOnce(floor));
    } else {
      theirs.push(await startOnce(floor));
      mine.push(await startOnce(ours));
    }
  }
  return { mine, theirs };
};

const pairRatios = (mine: number[], theirs: number[]) =>
  summary(mine.map((value, index) => value / (theirs[index] ?? Number.NaN)).filter(Number.isFinite));

/** Each function from its cdk.out asset beside its floor, both started the same way on `node`. */
export const measureBundles = async (
  roots: TaskRoots,
  functions: readonly DeployedFunction[],
  node: NodeBinary,
  samples: number,
): Promise<BundleFigures[]> => {
  const floorRoots = new Map<string, string>();
  for (const floor of new Set(Object.values(FLOOR_OF))) floorRoots.set(floor, await buildFloor(roots, floor));
  const figures: BundleFigures[] = [];
  for (const fn of functions) {
    const floor = FLOOR_OF[fn.service];
    const floorRoot = floor === undefined ? undefined : floorRoots.get(floor);
    const taskRoot = await roots.copy(fn.assetDir, fn.service);
    const ours: Start = { binary: node.path, taskRoot, env: fn.env, memorySize: fn.memorySize };
    const floorStart =
      floorRoot === undefined
        ? undefined
        : { ...ours, taskRoot: floorRoot, env: { ...fn.env, ...FLOOR_ENV } };
    const { mine, theirs } = await pairedStarts(ours, floorStart, samples);
    const bytes = await bytesOf(join(taskRoot, 'index.mjs'));
    const floorBytes = floorRoot === undefined ? 0 : await bytesOf(join(floorRoot, 'index.mjs'));
    const ratios = pairRatios(
      mine.map((each) => each.importMs),
      theirs.map((each) => each.importMs),
    );
    figures.push({
      name: fn.service,
      floor,
      node: node.version,
      nodeOptions: fn.env.NODE_OPTIONS ?? '',
      bytes,
      mapBytes: await bytesOf(join(taskRoot, 'index.mjs.map')),
      floorBytes,
      sizeRatio: floorBytes === 0 ? Number.NaN : round(bytes / floorBytes),
      importMs: summary(mine.map((each) => each.importMs)),
      floorImportMs: floorStart === undefined ? undefined : summary(theirs.map((each) => each.importMs)),
      importRatio: round(ratios.median),
      importRatioSpread: [round(ratios.p25), round(ratios.p75)],
      cpuMs: summary(mine.map((each) => each.cpuMs)),
      floorCpuMs: floorStart === undefined ? undefined : summary(theirs.map((each) => each.cpuMs)),
      cpuRatio: round(
        pairRatios(
          mine.map((each) => each.cpuMs),
          theirs.map((each) => each.cpuMs),
        ).median,
      ),
      networkAtImport: mine.some((each) => each.network),
    });
  }
  return figures;
};
