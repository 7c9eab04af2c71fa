import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';

/** Whether moto's server is installed here (it is on the project's machine image; see moto-notes.md). */
export const motoAvailable = (): boolean =>
  spawnSync('moto_server', ['--help'], { stdio: 'ignore' }).status === 0;

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });

/**
 * moto's server on a free loopback port, as an AWS service emulator (SQS here): real request parsing, receipt
 * handles, visibility and size limits. Stopped by its own process ID.
 */
export const startMoto = async (): Promise<{ endpoint: string; stop: () => void }> => {
  const port = await freePort();
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: 'ignore',
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(`${endpoint}/moto-api/`)).status < 500) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || child.exitCode !== null) throw new Error('moto_server did not start');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { endpoint, stop: () => void child.kill('SIGTERM') };
};
