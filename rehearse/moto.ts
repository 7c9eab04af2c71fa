import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';

/** A free loopback port, as the system hands it out. */
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

const motoVersion = (): string => {
  const probe = spawnSync('python3', ['-c', 'import moto; print(moto.__version__)'], { encoding: 'utf8' });
  return probe.status === 0 ? probe.stdout.trim() : 'unknown';
};

/**
 * One `moto_server` on loopback for the whole rehearsal (`moto_server -H 127.0.0.1 -p <port>`), reset between
 * deployments. IAM is enforced once the deployment is set up: moto judges every request after the first
 * `INITIAL_NO_AUTH_ACTION_COUNT` ones, which `/moto-api/reset-auth` sets at run time.
 */
export class MotoServer {
  private constructor(
    public readonly endpoint: string,
    public readonly version: string,
    private readonly child: ChildProcess,
    private readonly output: string[],
  ) {}

  public static async start(): Promise<MotoServer> {
    const port = await freePort();
    const output: string[] = [];
    const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
      env: { ...process.env, INITIAL_NO_AUTH_ACTION_COUNT: '1000000000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [child.stdout, child.stderr])
      stream?.on('data', (chunk: Buffer) => output.push(...chunk.toString('utf8').split('\n').slice(-50)));
    const spawnFailure = new Promise<never>((_, reject) => {
      child.once('error', (error) => reject(new Error(`moto_server could not start: ${error.message}`)));
      child.once('exit', (code) => reject(new Error(`moto_server exited with ${code}: ${output.join(' ')}`)));
    });
    const server = new MotoServer(`http://127.0.0.1:${port}`, motoVersion(), child, output);
    await Promise.race([server.ready(), spawnFailure]);
    return server;
  }

  private async ready(): Promise<void> {
    for (let attempt = 0; attempt < 300; attempt++) {
      try {
        if ((await fetch(`${this.endpoint}/moto-api/`)).ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`moto_server did not answer on ${this.endpoint} within 30 s: ${this.output.join(' ')}`);
  }

  /** Every service's state dropped, and IAM not enforced until `enforceIam()`. */
  public async reset(): Promise<void> {
    await this.post('/moto-api/reset', '');
    await this.post('/moto-api/reset-auth', '1000000000');
  }

  /** From the next request on, every request is judged by the policies of the credentials that signed it. */
  public async enforceIam(): Promise<void> {
    await this.post('/moto-api/reset-auth', '0');
  }

  private async post(path: string, body: string): Promise<void> {
    const answer = await fetch(`${this.endpoint}${path}`, { method: 'POST', body });
    if (!answer.ok) throw new Error(`moto ${path} answered ${answer.status}`);
  }

  public stop(): void {
    this.child.kill();
  }
}
