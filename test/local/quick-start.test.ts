import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The README's Quick start, run as a newcomer runs it: `npm start` on a data folder, every command of the
 * "in another terminal" block, then a restart on the same folder and every command again.
 */
const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const scripts = (
  JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts;
const quickStart = readme.slice(
  readme.indexOf('\n## Quick start\n'),
  readme.indexOf('\n## ', readme.indexOf('\n## Quick start\n') + 1),
);
/** The commands of the Quick start's second shell block, comments cut off. */
const commands = (/```sh\n[\s\S]*?```[\s\S]*?```sh\n([\s\S]*?)```/.exec(quickStart)?.[1] ?? '')
  .split('\n')
  .map((line) => line.replace(/\s+#.*$/, '').trim())
  .filter((line) => line !== '');

const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-quick-start-'));
let server: ChildProcess | undefined;

afterAll(() => {
  server?.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

/** `npm start` (its script, started directly) on the data folder; resolves with the port once it is ready. */
const start = (): Promise<string> => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
    cwd: root,
    env: { ...process.env, PORT: '0', SWITCHBOARD_DATA_DIR: dataDir, SWITCHBOARD_IN_MEMORY: 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server = child;
  let output = '';
  return new Promise((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const port = /ready at http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1];
      if (port !== undefined) resolve(port);
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.on('exit', (code) => reject(new Error(`npm start exited ${code}: ${output}`)));
  });
};

/** Stops it as Ctrl-C does, and waits until it is gone. */
const stop = async (): Promise<void> => {
  const child = server;
  if (child === undefined || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  await exited;
};

/** One README command, with the port local mode actually listens on. */
const execute = async (command: string, port: string): Promise<{ code: number; out: string }> => {
  const [program, ...words] = command.split(/\s+/);
  if (program === 'curl') {
    const url = words.find((word) => word.startsWith('http'))?.replace(':3000', `:${port}`) ?? '';
    const response = await fetch(url);
    return { code: response.ok ? 0 : 22, out: await response.text() };
  }
  const [, script, separator, ...args] = words;
  const file = /^tsx (\S+)$/.exec(scripts[script ?? ''] ?? '')?.[1];
  if (program !== 'npm' || words[0] !== 'run' || separator !== '--' || file === undefined)
    throw new Error(`the Quick start has a command this test cannot run: ${command}`);
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', file, ...args], {
      cwd: root,
      env: { ...process.env, PORT: port },
    });
    return { code: 0, out: `${stdout}${stderr}` };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, out: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
};

const runAll = async (port: string) => {
  const results: { command: string; code: number; out: string }[] = [];
  for (const command of commands) results.push({ command, ...(await execute(command, port)) });
  return results;
};

describe('the README Quick start', () => {
  it('succeeds on a first run and again after a restart on the same data folder', {
    timeout: 300_000,
  }, async () => {
    expect(commands.length).toBeGreaterThanOrEqual(5);
    const first = await runAll(await start());
    await stop();
    const port = await start();
    const second = await runAll(port);
    for (const result of [...first, ...second])
      expect({ command: result.command, code: result.code }, result.out).toEqual({
        command: result.command,
        code: 0,
      });
    // Meta's side kept what the first run did: the read model and the sandbox still agree.
    const reconciled = await execute('npm run switchboard -- reconcile --json', port);
    expect(JSON.parse(reconciled.out)).toMatchObject({ complete: true, solutionsChanged: 0 });
    const solution = await execute('npm run switchboard -- solutions get 19702253086782', port);
    expect(solution.out).toContain('ACTIVE');
    await stop();
  });
});
