import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { BUNDLING, DEFERRED_BUILTINS } from '../infra/config/bundling.js';
import { round, summary } from './stats.js';

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const OUT = join(root, 'bench', 'out');

/** Each function and the floor it is measured against. */
export const FUNCTIONS: Record<string, string> = {
  webhook: 'webhook',
  solutions: 'consumer',
  wabas: 'consumer',
  threads: 'consumer',
  'whatsapp-threads': 'consumer',
  api: 'read',
  reconcile: 'graph',
  actions: 'graph',
};

/** Every variable any function reads at cold start, with harmless values, so bundles import as in Lambda. */
const IMPORT_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  SOLUTIONS_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/0/s',
  WABAS_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/0/w',
  THREADS_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/0/t',
  WHATSAPP_THREADS_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/0/wt',
  PASSTHROUGH_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/0/p',
  CLAIM_CHECK_BUCKET: 'bucket',
  ARCHIVE_STREAM_NAME: 'archive',
  ARCHIVE_BUCKET: 'archive-bucket',
  EVENT_BUS_NAME: 'bus',
  DEAD_LETTER_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/0/dlq',
  META_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:0:secret:m',
  PAGE_TOKENS_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:0:secret:p',
  BUSINESS_TOKEN_SECRET_PREFIX: 'Switchboard/business-tokens/',
  SOLUTIONS_TABLE: 's',
  WABAS_TABLE: 'w',
  THREADS_TABLE: 't',
  WHATSAPP_THREADS_TABLE: 'wt',
  CONTROL_TABLE: 'c',
  TABLE_NAME: 't',
  META_APP_ID: '1',
  META_BUSINESS_ID: '2',
  QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/0/q',
};

/** The same esbuild options the CDK stack bundles with (infra/constructs/switchboard-function.ts). */
export const bundle = async (entry: string, outfile: string): Promise<number> => {
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: BUNDLING.target,
    minify: BUNDLING.minify,
    mainFields: BUNDLING.mainFields,
    external: BUNDLING.externalModules,
    banner: { js: BUNDLING.banner },
    define: BUNDLING.define,
    alias: DEFERRED_BUILTINS,
    metafile: true,
    logLevel: 'silent',
  });
  return Object.values(result.metafile.outputs)[0]?.bytes ?? 0;
};

export interface BundleFigures {
  name: string;
  floor: string;
  bytes: number;
  floorBytes: number;
  sizeRatio: number;
  importMs: ReturnType<typeof summary>;
  floorImportMs: ReturnType<typeof summary>;
  importRatio: number;
  networkAtImport: boolean;
}

const importOnce = async (file: string): Promise<{ ms: number; network: boolean }> => {
  const script = `const t=performance.now();await import(${JSON.stringify(pathToFileURL(file).href)});process.stdout.write(String(performance.now()-t));`;
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', join(root, 'bench', 'no-network.mjs'), '--input-type=module', '-e', script],
      {
        env: { ...process.env, ...IMPORT_ENV },
      },
    );
    return { ms: Number(stdout), network: stderr.includes('NETWORK_AT_IMPORT') };
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? error);
    if (stderr.includes('NETWORK_AT_IMPORT')) return { ms: Number.NaN, network: true };
    throw new Error(`importing ${file} failed: ${stderr.slice(0, 400)}`);
  }
};

/** Builds every function and every floor, then imports each in fresh Node processes, interleaved. */
export const measureBundles = async (samples: number): Promise<BundleFigures[]> => {
  await mkdir(OUT, { recursive: true });
  const floorBytes: Record<string, number> = {};
  for (const floor of new Set(Object.values(FUNCTIONS))) {
    floorBytes[floor] = await bundle(
      join(root, 'bench', 'floors', `${floor}.ts`),
      join(OUT, `floor-${floor}.mjs`),
    );
  }
  const figures: BundleFigures[] = [];
  for (const [name, floor] of Object.entries(FUNCTIONS)) {
    const file = join(OUT, `${name}.mjs`);
    const floorFile = join(OUT, `floor-${floor}.mjs`);
    const bytes = await bundle(join(root, 'functions', name, 'handler.ts'), file);
    const times: number[] = [];
    const floorTimes: number[] = [];
    let network = false;
    for (let sample = 0; sample < samples; sample++) {
      const [ours, base] =
        sample % 2 === 0
          ? [await importOnce(file), await importOnce(floorFile)]
          : [await importOnce(file), await importOnce(floorFile)].reverse();
      const mine = sample % 2 === 0 ? ours : base;
      const theirs = sample % 2 === 0 ? base : ours;
      if (mine === undefined || theirs === undefined) continue;
      network ||= mine.network;
      times.push(mine.ms);
      floorTimes.push(theirs.ms);
    }
    const importMs = summary(times);
    const floorImportMs = summary(floorTimes);
    figures.push({
      name,
      floor,
      bytes,
      floorBytes: floorBytes[floor] ?? 0,
      sizeRatio: round(bytes / (floorBytes[floor] ?? 1)),
      importMs,
      floorImportMs,
      importRatio: round(importMs.median / floorImportMs.median),
      networkAtImport: network,
    });
  }
  return figures;
};
