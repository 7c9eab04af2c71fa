import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));

/** What one cold start reports (`bench/lambda-init.mjs`). */
export interface InitFigures {
  importMs: number;
  cpuMs: number;
  readBytes: number;
  heapMiB: number;
  firstStackMs?: number;
  mapLoaded?: boolean;
  firstStackHeapMiB?: number;
  network: boolean;
}

const FAILED = { importMs: Number.NaN, cpuMs: Number.NaN, readBytes: Number.NaN, heapMiB: Number.NaN };

/** One way of starting a function: which Node, which task root, which environment. */
export interface Start {
  binary: string;
  taskRoot: string;
  env: Record<string, string>;
  memorySize: number;
}

/**
 * The flags the Node.js runtime's bootstrap gives `node` before NODE_OPTIONS applies (as in AWS's public base
 * images): heap limits from the function's memory, GC exposed, Lambda's header limit.
 */
export const runtimeFlags = (memorySize: number): string[] => {
  const newSpace = Math.floor(memorySize / 10);
  return [
    '--expose-gc',
    '--max-http-header-size=81920',
    `--max-semi-space-size=${Math.floor(newSpace / 2)}`,
    `--max-old-space-size=${memorySize - newSpace}`,
  ];
};

/**
 * Starts a fresh process as Lambda starts one, imports the handler and reports. Only the given environment
 * reaches it (none of this shell's); any network use during the import is refused and reported.
 */
export const startOnce = async (start: Start, options: { firstStack?: boolean } = {}) => {
  const args = [
    ...runtimeFlags(start.memorySize),
    '--import',
    join(here, 'no-network.mjs'),
    join(here, 'lambda-init.mjs'),
  ];
  const env = {
    ...start.env,
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    LAMBDA_TASK_ROOT: start.taskRoot,
    ...(options.firstStack === true ? { BENCH_FIRST_STACK: '1' } : {}),
  };
  try {
    const { stdout, stderr } = await run(start.binary, args, { cwd: start.taskRoot, env });
    const figures = JSON.parse(stdout) as Omit<InitFigures, 'network'>;
    return { ...figures, network: stderr.includes('NETWORK_AT_IMPORT') };
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? error);
    if (stderr.includes('NETWORK_AT_IMPORT')) return { ...FAILED, network: true };
    throw new Error(`starting ${start.taskRoot} failed: ${stderr.slice(0, 600)}`);
  }
};

/** Task roots outside the repository (nothing resolves from its node_modules), removed by `dispose`. */
export class TaskRoots {
  private readonly made: string[] = [];

  /** A fresh copy of `source` (an asset folder); `without` names files the copy leaves out. */
  public async copy(source: string, label: string, without: readonly string[] = []): Promise<string> {
    const root = await mkdtemp(join(tmpdir(), `bench-${label}-`));
    this.made.push(root);
    await cp(source, root, { recursive: true });
    for (const name of without) await rm(join(root, name), { force: true });
    return root;
  }

  public async empty(label: string): Promise<string> {
    const root = await mkdtemp(join(tmpdir(), `bench-${label}-`));
    this.made.push(root);
    return root;
  }

  public async dispose(): Promise<void> {
    await Promise.all(this.made.map((root) => rm(root, { recursive: true, force: true })));
  }
}
