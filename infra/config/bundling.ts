/**
 * The one build module: how every function is bundled, and the two cold-start tricks, configured here and
 * nowhere else. The code they act on reads like ordinary code: a lazy loader in `shared/platform/build/`
 * is one `import()` behind a constant condition, and a stand-in is a small module of its own.
 *
 * - **Lazy chunks.** Rare paths (claim checks, archive reads, dead letters, one-off sends) are built as files
 *   beside `index.mjs` (`LAZY_CHUNKS`); `process.env.SWITCHBOARD_CHUNKS` is defined as `separate`, so esbuild
 *   folds each loader's condition, drops its source branch and the entry point imports the chunk only on first
 *   use. In tests and local mode the condition is false and the source module is imported.
 * - **Deferred built-ins.** middy imports `node:stream/web` and `node:stream/promises` at its top for response
 *   streaming only, which no function uses: each bundle gets a stand-in that loads the real module only if
 *   asked (`DEFERRED_BUILTINS`), so a cold start does not load Node's web streams. An import the stand-in does
 *   not provide fails the build.
 *
 * - **Source maps.** Every asset carries `index.mjs.map` (names and positions, no sources); whether Node reads
 *   it is `FUNCTION_ENVIRONMENT` below (docs/decisions/source-maps.md).
 *
 * The benchmarks (`bench/bundles.ts`) build their floors with these same options (`esbuildOptions`) and start
 * the bundles `cdk synth` writes with the environment the template gives them.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Code kept out of every cold start: each is built beside `index.mjs` and loaded on first use. */
export const LAZY_CHUNKS = [
  { source: 'shared/platform/build/s3-put.ts', file: 's3-put.mjs' },
  { source: 'shared/platform/build/s3-read.ts', file: 's3-read.mjs' },
  { source: 'shared/platform/build/sqs-send.ts', file: 'sqs-send.mjs' },
] as const;

/** Node built-ins replaced in every bundle by a stand-in that loads the real module only when asked. */
export const DEFERRED_BUILTINS: Record<string, string> = {
  'node:stream/web': join(root, 'shared', 'platform', 'build', 'stream-web.ts'),
  'node:stream/promises': join(root, 'shared', 'platform', 'build', 'stream-promises.ts'),
};

/** The Node major of the functions' runtime (`nodejs24.x`): what the bundles are compiled for. */
export const NODE_MAJOR = 24;
const TARGET = `node${NODE_MAJOR}`;
const MAIN_FIELDS = ['module', 'main'];

/** Some bundled CommonJS dependencies call `require` for Node built-ins. */
const BANNER = "import { createRequire } from 'node:module';const require = createRequire(import.meta.url);";

/** The esbuild command that builds one lazy chunk beside `index.mjs`, with the entry point's own options. */
export const chunkCommand = (inputDir: string, outputDir: string, chunk: (typeof LAZY_CHUNKS)[number]) =>
  [
    join(inputDir, 'node_modules', '.bin', 'esbuild'),
    join(inputDir, chunk.source),
    '--bundle',
    '--platform=node',
    '--format=esm',
    `--target=${TARGET}`,
    `--main-fields=${MAIN_FIELDS.join(',')}`,
    '--minify',
    '--sourcemap',
    '--sources-content=false',
    `--outfile=${join(outputDir, chunk.file)}`,
    `"--banner:js=${BANNER}"`,
    '--log-level=warning',
  ].join(' ');

/** The bundling options of every function (NodejsFunction's `bundling`). */
export const BUNDLING = {
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  format: OutputFormat.ESM,
  target: TARGET,
  mainFields: MAIN_FIELDS,
  // The AWS SDK is bundled: a pinned, tree-shaken copy instead of the runtime's.
  externalModules: [] as string[],
  banner: BANNER,
  define: { 'process.env.SWITCHBOARD_CHUNKS': JSON.stringify('separate') },
  esbuildArgs: Object.fromEntries(
    Object.entries(DEFERRED_BUILTINS).map(([module, standIn]) => [`--alias:${module}`, standIn]),
  ),
  commandHooks: {
    beforeBundling: (): string[] => [],
    beforeInstall: (): string[] => [],
    afterBundling: (inputDir: string, outputDir: string): string[] =>
      LAZY_CHUNKS.map((chunk) => chunkCommand(inputDir, outputDir, chunk)),
  },
};

/**
 * The same build through esbuild's API: what the benchmarks build their floors with, so that a floor and a
 * function differ only in their code (`bench/bundles.ts` checks that it rebuilds a function byte for byte).
 */
export const esbuildOptions = (): BuildOptions => ({
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: BUNDLING.target,
  minify: BUNDLING.minify,
  sourcemap: BUNDLING.sourceMap,
  sourcesContent: BUNDLING.sourcesContent,
  mainFields: BUNDLING.mainFields,
  external: BUNDLING.externalModules,
  banner: { js: BUNDLING.banner },
  define: BUNDLING.define,
  alias: DEFERRED_BUILTINS,
});

/**
 * `--enable-source-maps` only where Node reads the map lazily. Node 24 keeps just the map's URL while a
 * bundle loads and reads and decodes the map the first time a stack trace through the bundle is formatted
 * (an uncaught error, a failed invocation): no cost on a cold start. Node 20 and 22 read and parse the map
 * during the import: about 20 ms of CPU and 6–9 MiB on every cold start, for stack traces that are rare.
 * Figures: docs/decisions/source-maps.md and BENCHMARKS.md (group 2b).
 */
export const SOURCE_MAPS_LAZY_FROM_NODE = 24;

/** The environment a function starts with on Node `major`, before its own variables. */
export const runtimeEnvironment = (major: number): Record<string, string> =>
  major >= SOURCE_MAPS_LAZY_FROM_NODE ? { NODE_OPTIONS: '--enable-source-maps' } : {};

/** The environment every function starts with (the functions run on Node `NODE_MAJOR`). */
export const FUNCTION_ENVIRONMENT = runtimeEnvironment(NODE_MAJOR);
