// One cold start as the function's code sees it. Started by `bench/lambda-start.ts` with the runtime's Node, the
// template's environment (NODE_OPTIONS included) and the runtime's own flags, in a task root that holds only the
// asset from cdk.out, it imports `_HANDLER`'s module the way the managed runtime does and prints one JSON line:
// the import's wall and CPU time, the bytes it read and the heap after it. With BENCH_FIRST_STACK=1 it then asks for the bundle's
// source map as Node's stack-trace formatting does for a frame in the bundle (`findSourceMap`): the price of the
// first stack trace through the bundle. Plain JavaScript on purpose: it imports nothing but Node's built-ins.
import { existsSync, readFileSync } from 'node:fs';
import { findSourceMap } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = process.env.LAMBDA_TASK_ROOT ?? process.cwd();
const [moduleName, exportName] = (process.env._HANDLER ?? '').split('.');
const file = ['.mjs', '.js', '.cjs']
  .map((extension) => join(root, `${moduleName}${extension}`))
  .find((candidate) => existsSync(candidate));
if (file === undefined || exportName === undefined) throw new Error(`no module for _HANDLER in ${root}`);

/** Bytes this process has read so far (Linux): tells whether the import read the source map. */
const bytesRead = () => {
  try {
    return Number(/rchar: (\d+)/.exec(readFileSync('/proc/self/io', 'utf8'))?.[1] ?? Number.NaN);
  } catch {
    return Number.NaN;
  }
};

const read = bytesRead();
const cpu = process.cpuUsage();
const started = performance.now();
const loaded = await import(pathToFileURL(file).href);
const importMs = performance.now() - started;
const used = process.cpuUsage(cpu);
const readBytes = bytesRead() - read;
if (typeof loaded[exportName] !== 'function')
  throw new Error(`${moduleName}.${exportName} is not a function`);

const heapMiB = (bytes) => Math.round((bytes / 2 ** 20) * 10) / 10;
const result = {
  importMs,
  cpuMs: (used.user + used.system) / 1000,
  readBytes,
  heapMiB: heapMiB(process.memoryUsage().heapUsed),
};
if (process.env.BENCH_FIRST_STACK === '1') {
  const before = process.memoryUsage().heapUsed;
  const asked = performance.now();
  const map = findSourceMap(file);
  result.firstStackMs = performance.now() - asked;
  result.mapLoaded = map !== undefined;
  result.firstStackHeapMiB = heapMiB(process.memoryUsage().heapUsed - before);
}
process.stdout.write(JSON.stringify(result));
