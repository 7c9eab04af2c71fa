import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DeployedFunction, NodeBinary } from './deployed.js';
import { type InitFigures, type Start, startOnce, type TaskRoots } from './lambda-start.js';
import { round, summary } from './stats.js';

/**
 * What source maps cost a cold start, per Node version: the same asset started three ways, interleaved —
 * the map beside the bundle with `--enable-source-maps`, the map beside it without the option, and no map
 * and no option (the least a cold start can do) — and the first stack trace through the bundle with the
 * option on (Node reads and decodes the map when a frame first needs it, if it has not already).
 */
export interface SourceMapFigures {
  name: string;
  node: string;
  /** Import time of each variant. */
  enabled: ReturnType<typeof summary>;
  presentNotEnabled: ReturnType<typeof summary>;
  none: ReturnType<typeof summary>;
  /** Paired ratios against `none`. */
  enabledRatio: number;
  enabledRatioSpread: [number, number];
  presentRatio: number;
  /** Paired ratio of the import's CPU time, option on against no map: the work, without the waiting. */
  enabledCpuRatio: number;
  /** Heap after the import, option on minus no map (medians). */
  enabledHeapMiB: number;
  /** Whether the import read the map already (the first stack then only decodes it). */
  readAtImport: boolean;
  firstStackMs: ReturnType<typeof summary>;
  firstStackHeapMiB: number;
}

const FLAG = '--enable-source-maps';

/** The environment with NODE_OPTIONS saying `--enable-source-maps` or not, other options kept. */
const withFlag = (env: Record<string, string>, on: boolean): Record<string, string> => {
  const others = (env.NODE_OPTIONS ?? '').split(/\s+/).filter((option) => option !== '' && option !== FLAG);
  const options = [...others, ...(on ? [FLAG] : [])].join(' ');
  const { NODE_OPTIONS: _dropped, ...rest } = env;
  return options === '' ? rest : { ...rest, NODE_OPTIONS: options };
};

type Measure = (figures: InitFigures) => number;
const wall: Measure = (figures) => figures.importMs;

/** Ratios of the runs started in the same round, `mine` over `base`. */
const ratios = (mine: InitFigures[], base: InitFigures[], of: Measure = wall) =>
  summary(
    mine.flatMap((each, index) => {
      const other = base[index];
      return other === undefined ? [] : [of(each) / of(other)];
    }),
  );
const medianOf = (runs: InitFigures[], of: Measure) => summary(runs.map(of)).median;

/** Interleaved starts of the three variants (the order rotates each round), then the first-stack probes. */
const sample = async (variants: [Start, Start, Start], samples: number) => {
  const runs: [InitFigures[], InitFigures[], InitFigures[]] = [[], [], []];
  for (let round = 0; round < samples; round++) {
    for (let step = 0; step < 3; step++) {
      const which = (round + step) % 3;
      const variant = variants[which];
      if (variant !== undefined) runs[which]?.push(await startOnce(variant));
    }
  }
  const stacks: InitFigures[] = [];
  for (let round = 0; round < samples; round++)
    stacks.push(await startOnce(variants[0], { firstStack: true }));
  return { runs, stacks };
};

export const measureSourceMaps = async (
  roots: TaskRoots,
  functions: readonly DeployedFunction[],
  nodes: readonly NodeBinary[],
  samples: number,
): Promise<SourceMapFigures[]> => {
  const figures: SourceMapFigures[] = [];
  for (const fn of functions) {
    const withMap = await roots.copy(fn.assetDir, `${fn.service}-map`);
    const withoutMap = await roots.copy(fn.assetDir, `${fn.service}-nomap`, ['index.mjs.map']);
    const mapBytes = (await stat(join(withMap, 'index.mjs.map'))).size;
    for (const node of nodes) {
      const start = (taskRoot: string, on: boolean): Start => ({
        binary: node.path,
        taskRoot,
        env: withFlag(fn.env, on),
        memorySize: fn.memorySize,
      });
      const variants: [Start, Start, Start] = [
        start(withMap, true),
        start(withMap, false),
        start(withoutMap, false),
      ];
      const { runs, stacks } = await sample(variants, samples);
      const [enabled, present, none] = runs;
      const enabledRatio = ratios(enabled, none);
      figures.push({
        name: fn.service,
        node: node.version,
        enabled: summary(enabled.map((each) => each.importMs)),
        presentNotEnabled: summary(present.map((each) => each.importMs)),
        none: summary(none.map((each) => each.importMs)),
        enabledRatio: round(enabledRatio.median),
        enabledRatioSpread: [round(enabledRatio.p25), round(enabledRatio.p75)],
        presentRatio: round(ratios(present, none).median),
        enabledCpuRatio: round(ratios(enabled, none, (f) => f.cpuMs).median),
        enabledHeapMiB: round(medianOf(enabled, (f) => f.heapMiB) - medianOf(none, (f) => f.heapMiB), 1),
        readAtImport:
          summary(enabled.map((each) => each.readBytes)).median -
            summary(none.map((each) => each.readBytes)).median >=
          mapBytes / 2,
        firstStackMs: summary(stacks.map((each) => each.firstStackMs ?? Number.NaN)),
        firstStackHeapMiB: summary(stacks.map((each) => each.firstStackHeapMiB ?? Number.NaN)).median,
      });
    }
  }
  return figures;
};
