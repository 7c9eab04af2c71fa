// The Lambda runtime, as far as a Node.js function sees it: run by the template's Node major in a task root
// holding only the bundle (no node_modules), it resolves `_HANDLER` (`index.handler`) the way the
// managed runtime does, then answers invocations read as JSON lines on stdin with JSON lines on fd 3
// (stdout and stderr stay the function's own logs, as in CloudWatch). Plain JavaScript on purpose: it must
// import nothing but Node's built-ins.
import { randomUUID } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

const results = createWriteStream(null, { fd: 3 });
const reply = (message, then) => results.write(`${JSON.stringify(message)}\n`, then);
const describe = (error) =>
  error instanceof Error
    ? { name: error.name, message: error.message, stack: error.stack }
    : { name: 'Error', message: String(error) };

const root = process.env.LAMBDA_TASK_ROOT ?? process.cwd();
const [moduleName, exportName] = (process.env._HANDLER ?? '').split('.');

const loadHandler = async () => {
  if (!moduleName || !exportName) throw new Error(`malformed handler "${process.env._HANDLER}"`);
  const file = ['.mjs', '.js', '.cjs']
    .map((extension) => join(root, `${moduleName}${extension}`))
    .find((candidate) => existsSync(candidate));
  if (file === undefined) throw new Error(`Runtime.ImportModuleError: Cannot find module '${moduleName}'`);
  const module = await import(pathToFileURL(file).href);
  const handler = module[exportName];
  if (typeof handler !== 'function') {
    throw new Error(`Runtime.HandlerNotFound: ${moduleName}.${exportName} is not a function`);
  }
  // The Node.js 24 runtime refuses callback-style handlers (three or more declared parameters) at init.
  if (handler.length >= 3) {
    throw new Error(
      `Runtime.CallbackHandlerDeprecated: ${moduleName}.${exportName} declares ${handler.length} parameters`,
    );
  }
  return handler;
};

let handler;
try {
  handler = await loadHandler();
  reply({ init: true });
} catch (error) {
  // Like Lambda's Runtime.ImportModuleError / init errors: report, then end the environment.
  reply({ init: false, error: describe(error) }, () => process.exit(1));
  await new Promise(() => undefined);
}

const contextFor = (timeoutMs) => {
  const deadline = Date.now() + timeoutMs;
  const name = process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'function';
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:123456789012:function:${name}`,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '128',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'rehearsal',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
};

// Like the managed runtime: an error no invocation awaited fails the current invocation, then ends the
// environment (Runtime.UnhandledPromiseRejection and uncaught exceptions are fatal in Lambda too).
let current;
const fatal = (name) => (reason) => {
  const { message, stack } = describe(reason);
  reply({ id: current, ok: false, error: { name, message, stack } }, () => process.exit(128));
};
process.on('unhandledRejection', fatal('Runtime.UnhandledPromiseRejection'));
process.on('uncaughtException', fatal('Runtime.UncaughtException'));

// One invocation at a time, like one Lambda execution environment.
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === '') continue;
  const { id, event, timeoutMs } = JSON.parse(line);
  current = id;
  try {
    const result = await handler(event, contextFor(timeoutMs));
    reply({ id, ok: true, result: result ?? null });
  } catch (error) {
    reply({ id, ok: false, error: describe(error) });
  }
}
