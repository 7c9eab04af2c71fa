import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMissingTables, localDynamoClient, localTableNames } from '../local/dynalite.js';

/** Plain ESM so the child needs no TypeScript loader: dynalite on disk, its port sent to the parent. */
const CHILD = `
import dynalite from 'dynalite';
const server = dynalite({ path: process.argv[2], createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.listen(0, '127.0.0.1', () => process.send(server.address().port));
process.on('disconnect', () => process.exit(0));
`;

/**
 * dynalite in a process of its own with its data on disk, for the large sweep: a million items held by the
 * bench's own heap would hide whether a reconcile run's memory stays flat, and sharing one event loop would
 * bill the table's work to the reconciler (DynamoDB is another machine in AWS).
 */
export const startDynaliteProcess = async (prefix: string) => {
  const folder = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const script = join(process.cwd(), 'bench', `.dynalite-child-${process.pid}.mjs`);
  writeFileSync(script, CHILD);
  const child = fork(script, [join(folder, 'data')], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message) => resolve(Number(message)));
    child.once('exit', (code) => reject(new Error(`dynalite exited with ${code}`)));
  });
  rmSync(script);
  const client = localDynamoClient(`http://127.0.0.1:${port}`);
  const tableNames = localTableNames(prefix);
  await createMissingTables(client, tableNames);
  return {
    client,
    tableNames,
    close: async () => {
      client.destroy();
      child.disconnect();
      await new Promise((resolve) => child.once('exit', resolve));
      rmSync(folder, { recursive: true, force: true });
    },
  };
};
