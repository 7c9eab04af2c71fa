import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { writeFileAtomic } from './durable-file.js';

/**
 * What stops a second `npm start` on the same machine, found before anything starts, each said in a sentence
 * that names the setting to change: the port (`PORT`) and the data folder (`SWITCHBOARD_DATA_DIR`).
 */
export class StartRefused extends Error {}

export const portInUse = (port: number): StartRefused =>
  new StartRefused(
    `port ${port} on 127.0.0.1 is in use (is another \`npm start\` running?). Stop it, or start this one on another port: PORT=${port + 1} npm start`,
  );

/** Refuses when something already listens on `port` (0 asks for any free port: nothing to check). */
export const assertPortFree = async (port: number): Promise<void> => {
  if (port === 0) return;
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? portInUse(port) : error),
    );
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
};

/** A process killed but not yet reaped by its parent (`kill -9` from a test) is a zombie: gone. */
const isZombie = (pid: number): boolean => {
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return !isZombie(pid);
  } catch (error) {
    // EPERM: the process exists but is someone else's.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

const holderOf = (path: string): number | undefined => {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
};

const refuseIfHeld = (dataDir: string, path: string): void => {
  const holder = holderOf(path);
  if (holder !== undefined && holder !== process.pid && isAlive(holder))
    throw new StartRefused(
      `the data folder ${dataDir} is in use by process ${holder} (another \`npm start\`?). Stop it, or give this one a folder and a port of its own: SWITCHBOARD_DATA_DIR=${dataDir}-2 PORT=3001 npm start (or SWITCHBOARD_IN_MEMORY=true). If process ${holder} is not local mode, delete ${path}.`,
    );
};

/**
 * Marks the data folder as this process's (`local.pid`) until `release`: the stores in it (dynalite's
 * LevelDB, the journals) take one process at a time, and a second one would fail deep inside dynalite. A
 * mark left by a process that no longer runs (`kill -9`) is taken over.
 */
export const claimDataFolder = (dataDir: string): { release(): void } => {
  const path = join(dataDir, 'local.pid');
  mkdirSync(dataDir, { recursive: true });
  refuseIfHeld(dataDir, path);
  try {
    const fd = openSync(path, 'wx');
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // A mark is there: a stale one is taken over, one written since the check above (a start racing this
    // one) wins.
    refuseIfHeld(dataDir, path);
    writeFileAtomic(path, `${process.pid}\n`);
  }
  return {
    release: () => {
      if (holderOf(path) === process.pid) rmSync(path, { force: true });
    },
  };
};
