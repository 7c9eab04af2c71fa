import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FunctionContainer } from '../../rehearse/containers.js';
import type { FunctionSpec } from '../../rehearse/template.js';

// A function that dies or hangs mid-invocation must fail the rehearsal at once, as Lambda fails the
// invocation (Runtime.ExitError, Runtime.UnhandledPromiseRejection, "Task timed out"), never hang it.
const BUNDLE = `
if (process.env.PROBE_LATE_IMPORT) void import('probe-missing-' + process.env.PROBE_LATE_IMPORT);
export const handler = async (event) => {
  if (event.do === 'exit') process.exit(3);
  if (event.do === 'reject') { void Promise.reject(new Error('lost promise')); return new Promise(() => {}); }
  if (event.do === 'hang') return new Promise(() => {});
  return { echo: event.do };
};
`;

const specFor = (timeoutSeconds: number): FunctionSpec => ({
  logicalId: 'Probe',
  service: 'probe',
  handler: 'index.handler',
  runtime: `nodejs${process.versions.node.split('.')[0]}.x`,
  assetPath: 'asset.probe',
  memorySize: 128,
  timeoutSeconds,
  environment: {},
  logLevel: undefined,
  roleId: undefined,
});

let cdkOut: string;
const started: FunctionContainer[] = [];
const container = async (
  timeoutSeconds = 30,
  env: Record<string, string> = {},
): Promise<FunctionContainer> => {
  const probe = new FunctionContainer(specFor(timeoutSeconds), cdkOut, process.execPath, {
    PATH: process.env.PATH ?? '',
    ...env,
  });
  started.push(probe);
  await probe.start();
  return probe;
};

beforeAll(async () => {
  cdkOut = await mkdtemp(join(tmpdir(), 'rehearsal-probe-'));
  await mkdir(join(cdkOut, 'asset.probe'));
  await writeFile(join(cdkOut, 'asset.probe', 'index.mjs'), BUNDLE);
});
afterAll(async () => {
  for (const probe of started) probe.stop();
  await rm(cdkOut, { recursive: true, force: true });
});

describe('a rehearsal execution environment', () => {
  it('answers an invocation with the handler result', async () => {
    // Prepare
    const probe = await container();
    // Act
    const result = await probe.invoke({ do: 'ping' });
    // Assess
    expect(result).toEqual({ echo: 'ping' });
  });

  it('fails the invocation when the function process exits during it', async () => {
    const probe = await container();
    await expect(probe.invoke({ do: 'exit' })).rejects.toThrow(/probe exited with 3/);
    await expect(probe.invoke({ do: 'ping' })).rejects.toThrow(/probe exited with 3/);
  });

  it('fails the invocation on an unhandled promise rejection, as the Lambda runtime does', async () => {
    const probe = await container();
    await expect(probe.invoke({ do: 'reject' })).rejects.toThrow(/UnhandledPromiseRejection.*lost promise/);
  });

  it('names the error that ended the environment between invocations (a dynamic import that fails)', async () => {
    const probe = await container(30, { PROBE_LATE_IMPORT: 'x' });
    // The import fails some time after the start: invoke until the environment has ended (each ping before
    // that is answered), however long a busy machine takes to get there.
    let ended: unknown;
    while (ended === undefined)
      ended = await probe.invoke({ do: 'ping' }).then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(String(ended)).toMatch(
      /probe exited with 128: Runtime.UnhandledPromiseRejection: Cannot find package 'probe-missing-x'/,
    );
  });

  it('fails an invocation that outlasts the function timeout', async () => {
    // The handler never settles: only the 1 s function timeout can end the invocation, as the message says.
    const probe = await container(1);
    await expect(probe.invoke({ do: 'hang' })).rejects.toThrow(/timed out after 1 s/);
  });
});
