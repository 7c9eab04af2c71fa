import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { claimDataFolder, StartRefused } from '../../local/start-guards.js';
import { useTempFolders } from '../support/temp-folders.js';

const run = promisify(execFile);
const tempFolder = useTempFolders('start-guards');
const others: ChildProcess[] = [];
const servers: Server[] = [];

afterEach(async () => {
  for (const other of others.splice(0)) other.kill('SIGKILL');
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** `npm start` (its script, started directly) with these settings: its exit code and what it printed. */
const npmStart = async (env: Record<string, string>) => {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
      env: { ...process.env, ...env },
      timeout: 45_000,
    });
    return { code: 0, out: `${stdout}${stderr}` };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, out: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
};

/** Something else listening on a loopback port, as a first `npm start` would. */
const busyPort = async (): Promise<number> => {
  const server = createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
};

/** A process that runs until the test ends: a live holder of a data folder's mark. */
const liveProcess = (): number => {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  others.push(child);
  return child.pid ?? 0;
};

describe('a second npm start', () => {
  it('on a port already in use says so, names PORT, and exits non-zero without a stack trace', async () => {
    const port = await busyPort();
    const result = await npmStart({ PORT: String(port), SWITCHBOARD_IN_MEMORY: 'true' });
    expect(result.code).toBe(1);
    expect(result.out).toContain(`port ${port} on 127.0.0.1 is in use`);
    expect(result.out).toContain(`PORT=${port + 1} npm start`);
    expect(result.out).not.toMatch(/^\s+at /m);
  });

  it('on a data folder another npm start holds says so, names SWITCHBOARD_DATA_DIR, and exits non-zero', async () => {
    const dataDir = tempFolder();
    const holder = liveProcess();
    writeFileSync(join(dataDir, 'local.pid'), `${holder}\n`);
    const result = await npmStart({ PORT: '0', SWITCHBOARD_DATA_DIR: dataDir });
    expect(result.code).toBe(1);
    expect(result.out).toContain(`the data folder ${dataDir} is in use by process ${holder}`);
    expect(result.out).toContain('SWITCHBOARD_DATA_DIR=');
    expect(result.out).not.toMatch(/^\s+at /m);
  });
});

describe('the data folder mark', () => {
  it('is taken over from a process that no longer runs (kill -9), and removed on release', async () => {
    const dataDir = tempFolder();
    const gone = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => gone.once('exit', resolve));
    writeFileSync(join(dataDir, 'local.pid'), `${gone.pid}\n`);
    const claim = claimDataFolder(dataDir);
    expect(readFileSync(join(dataDir, 'local.pid'), 'utf8').trim()).toBe(String(process.pid));
    claim.release();
    expect(existsSync(join(dataDir, 'local.pid'))).toBe(false);
  });

  it('refuses while its holder runs, and names the file to delete if that process is not local mode', () => {
    const dataDir = tempFolder();
    const holder = liveProcess();
    writeFileSync(join(dataDir, 'local.pid'), `${holder}\n`);
    expect(() => claimDataFolder(dataDir)).toThrow(StartRefused);
    expect(() => claimDataFolder(dataDir)).toThrow(`delete ${join(dataDir, 'local.pid')}`);
  });
});
