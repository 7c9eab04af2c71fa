import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { FunctionSpec } from './template.js';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * The Node.js binary of the template's runtime (`nodejs24.x` → 24): the official build npm publishes as
 * `node-<platform>-<arch>`, fetched once with `npm pack` into `node_modules/.cache` (the npm registry is the
 * one network source this project relies on). It is never a dependency: a package that links `node` into
 * `node_modules/.bin` would make every npm script, tests included, run on it instead of the Node in use.
 * Without it (offline, an unpublished platform), the current Node runs the bundles and the report says so.
 */
export const runtimeBinary = (
  runtime: string,
  root: string,
): { path: string; version: string; exact: boolean } => {
  const major = /^nodejs(\d+)\.x$/.exec(runtime)?.[1];
  const current = {
    path: process.execPath,
    version: process.version,
    exact: process.version.startsWith(`v${major}.`),
  };
  if (major === undefined || current.exact) return current;
  const folder = join(
    root,
    'node_modules',
    '.cache',
    'switchboard-rehearsal',
    `node-${major}-${process.platform}-${process.arch}`,
  );
  const binary = join(folder, 'package', 'bin', 'node');
  if (!existsSync(binary)) fetchRuntime(`node-${process.platform}-${process.arch}@${major}`, folder);
  if (!existsSync(binary)) return current;
  const version = spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout.trim();
  return version.startsWith(`v${major}.`) ? { path: binary, version, exact: true } : current;
};

const fetchRuntime = (spec: string, folder: string): void => {
  mkdirSync(folder, { recursive: true });
  const packed = spawnSync('npm', ['pack', spec, '--pack-destination', folder, '--silent'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const tarball = packed.stdout.trim().split('\n').at(-1);
  if (packed.status !== 0 || tarball === undefined || tarball === '') return;
  spawnSync('tar', ['-xzf', join(folder, tarball), '-C', folder], { stdio: 'ignore' });
  rmSync(join(folder, tarball), { force: true });
};

/** No rehearsed invocation takes more than seconds: one that hangs fails the run instead of stalling CI. */
const MAX_INVOCATION_MS = 120_000;

interface Reply {
  id?: number;
  init?: boolean;
  ok?: boolean;
  result?: unknown;
  error?: { name: string; message: string; stack?: string };
}

/**
 * One warm execution environment of a function: its asset copied into a fresh task root outside the
 * repository (so nothing can resolve from the project's node_modules), started by `runtime.mjs` with the
 * template's handler and environment. Invocations run one at a time; logs are kept for inspection.
 */
export class FunctionContainer {
  public readonly logs: string[] = [];
  private readonly pending = new Map<number, (reply: Reply) => void>();
  private nextId = 0;
  private child: ChildProcess | undefined;
  private initialized: Promise<void> | undefined;
  /** Set when the environment ended: every later invocation fails with it, as Runtime.ExitError does. */
  private ended: Reply['error'] | undefined;

  public constructor(
    public readonly spec: FunctionSpec,
    private readonly cdkOut: string,
    private readonly binary: string,
    private readonly env: Record<string, string>,
  ) {}

  public async start(): Promise<void> {
    const taskRoot = await mkdtemp(join(tmpdir(), `rehearsal-${this.spec.service}-`));
    await cp(join(this.cdkOut, this.spec.assetPath), taskRoot, { recursive: true });
    const child = spawn(this.binary, [join(here, 'runtime.mjs')], {
      cwd: taskRoot,
      env: { ...this.env, LAMBDA_TASK_ROOT: taskRoot, _HANDLER: this.spec.handler },
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    });
    this.child = child;
    for (const stream of [child.stdout, child.stderr]) {
      if (stream === null) continue;
      createInterface({ input: stream }).on('line', (line) => this.logs.push(line));
    }
    const results = child.stdio[3];
    if (results === null || results === undefined || !('on' in results)) throw new Error('no result pipe');
    // An error the function raised outside any invocation, reported just before it ends.
    let fatal: Reply['error'];
    this.initialized = new Promise((resolve, reject) => {
      // `close` comes after the pipes are drained, so a reply written just before exiting is seen first.
      child.once('close', (code, signal) => {
        const cause = fatal ? `${fatal.name}: ${fatal.message}` : this.logs.slice(-3).join(' | ');
        const message = `${this.spec.service} exited with ${code ?? signal}: ${cause}`;
        this.ended = { name: 'Runtime.ExitError', message };
        reject(new Error(message));
        for (const settle of this.pending.values()) settle({ ok: false, error: this.ended });
      });
      createInterface({ input: results as NodeJS.ReadableStream }).on('line', (line) => {
        const reply = JSON.parse(line) as Reply;
        if (reply.init === true) return resolve();
        if (reply.init === false) {
          return reject(new Error(`${this.spec.service} failed to initialize: ${reply.error?.message}`));
        }
        if (reply.id !== undefined) this.pending.get(reply.id)?.(reply);
        else if (reply.ok === false) fatal = reply.error;
      });
    });
    await this.initialized;
  }

  /** Invokes the handler with `event`; resolves with its result or throws its error. */
  public async invoke<T = unknown>(event: unknown): Promise<T> {
    await this.initialized;
    const id = this.nextId++;
    const timeoutMs = this.spec.timeoutSeconds * 1000;
    let watchdog: NodeJS.Timeout | undefined;
    const reply = await new Promise<Reply>((resolve) => {
      if (this.ended !== undefined) return resolve({ ok: false, error: this.ended });
      this.pending.set(id, resolve);
      // Lambda ends an invocation at the function timeout (capped here: nothing rehearsed takes long).
      watchdog = setTimeout(
        () => {
          const seconds = Math.min(timeoutMs, MAX_INVOCATION_MS) / 1000;
          resolve({
            ok: false,
            error: { name: 'Sandbox.Timedout', message: `timed out after ${seconds} s` },
          });
          this.child?.kill();
        },
        Math.min(timeoutMs, MAX_INVOCATION_MS),
      );
      this.child?.stdin?.write(`${JSON.stringify({ id, event, timeoutMs })}\n`);
    });
    clearTimeout(watchdog);
    this.pending.delete(id);
    if (reply.ok !== true) {
      throw new Error(
        `${this.spec.service} invocation failed: ${reply.error?.name}: ${reply.error?.message}`,
      );
    }
    return reply.result as T;
  }

  public stop(): void {
    this.child?.stdin?.end();
    this.child?.kill();
  }
}
