import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DOMAINS } from '../../shared/domains/registry.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SOURCE_FOLDERS = ['shared', 'functions', 'local', 'cli', 'infra', 'rehearse', 'bench'];
const MAX_FILE_LINES = 300;

const sourceFiles = (folder: string): string[] =>
  readdirSync(join(root, folder)).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(join(root, path)).isDirectory()) return name === 'out' ? [] : sourceFiles(path);
    return /\.(ts|mjs)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });

const files = SOURCE_FOLDERS.flatMap(sourceFiles);

/** Project files each file imports (static and dynamic, type-only included), as repository paths. */
const imports = new Map<string, string[]>(
  files.map((file) => {
    const text = readFileSync(join(root, file), 'utf8');
    const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map(
      (match) => match[1] ?? '',
    );
    const targets = specifiers.map((specifier) =>
      relative(root, resolve(root, dirname(file), specifier)).replace(/\.js$/, '.ts'),
    );
    return [file, [...new Set(targets)]];
  }),
);
const packages = (file: string): string[] =>
  [...readFileSync(join(root, file), 'utf8').matchAll(/(?:from|import)\s*\(?\s*'([^.'][^']*)'/g)]
    .map((match) => match[1] ?? '')
    .filter((name) => !name.startsWith('node:'));

const isKernel = (file: string) => file.startsWith('shared/kernel/');
const isPlatform = (file: string) => file.startsWith('shared/platform/');
const isDomain = (file: string) => file.startsWith('shared/domains/');
const isApp = (file: string) => file.startsWith('shared/app/');
/** What the CDK app may read of `shared/`: names, manifests, schemas and routes, never an SDK client. */
const INFRA_READS = [
  'shared/platform/config/constants.ts',
  'shared/platform/domain/domain.ts',
  'shared/platform/http/routes.ts',
  'shared/platform/store/tables.ts',
  'shared/platform/queue/envelope.ts',
  'shared/platform/events/schema.ts',
  'shared/app/routes.ts',
  'shared/app/privacy/schema.ts',
  // The relay's destinations: the same rules checked at synth and at cold start (pure, no SDK).
  'shared/app/relay/destinations.ts',
];

/**
 * Which layer may import which: the kernel at the bottom (pure: no package but Node's own); the platform (AWS
 * adapters, store, queue, http, observability) above it, knowing no domain; the domains above the platform; the
 * application (use cases spanning domains, composition roots) above them; entry points on top.
 */
const allowed = (from: string, to: string): boolean => {
  if (isKernel(from)) return isKernel(to);
  if (isPlatform(from)) return isKernel(to) || isPlatform(to);
  if (isDomain(from)) return isKernel(to) || isPlatform(to) || isDomain(to);
  if (isApp(from)) return to.startsWith('shared/');
  if (from.startsWith('functions/')) return to.startsWith('shared/');
  if (from.startsWith('infra/'))
    return to.startsWith('infra/') || isKernel(to) || isDomain(to) || INFRA_READS.includes(to);
  return true;
};

/** A file's folder, one level inside the layers (`shared/domains/wabas`, `shared/platform/aws`, `local`). */
const folderOf = (file: string): string => {
  const parts = dirname(file).split('/');
  return parts.slice(0, parts[0] === 'shared' ? 3 : 2).join('/');
};

/** Cycles of a graph given as node → successors, each as `a → b → a`. */
const cyclesOf = (graph: Map<string, string[]>): string[] => {
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (node: string, path: string[]) => {
    if (state.get(node) === 'done') return;
    if (state.get(node) === 'open') {
      cycles.push([...path.slice(path.indexOf(node)), node].join(' → '));
      return;
    }
    state.set(node, 'open');
    for (const next of graph.get(node) ?? []) visit(next, [...path, node]);
    state.set(node, 'done');
  };
  for (const node of graph.keys()) visit(node, []);
  return cycles;
};

describe('architecture', () => {
  it('imports point down the layers (kernel ← platform ← domains ← application ← entry points)', () => {
    const wrong = [...imports].flatMap(([from, targets]) =>
      targets.filter((to) => !allowed(from, to)).map((to) => `${from} → ${to}`),
    );
    expect(wrong).toEqual([]);
  });

  it('the kernel uses no package, only Node built-ins', () => {
    const impure = files
      .filter(isKernel)
      .flatMap((file) => packages(file).map((name) => `${file} → ${name}`));
    expect(impure).toEqual([]);
  });

  it('the platform names no domain: every domain reaches it through the registry', () => {
    const names = DOMAINS.map((domain) => domain.name);
    const naming = files.filter(isPlatform).flatMap((file) => {
      const text = readFileSync(join(root, file), 'utf8');
      return names.filter((name) => text.includes(`'${name}'`)).map((name) => `${file} names '${name}'`);
    });
    expect(naming).toEqual([]);
  });

  it('no import cycle between files', () => {
    expect(cyclesOf(imports)).toEqual([]);
  });

  it('no import cycle between folders', () => {
    const folders = new Map<string, string[]>();
    for (const [from, targets] of imports) {
      const source = folderOf(from);
      const next = new Set(folders.get(source) ?? []);
      for (const to of targets) if (folderOf(to) !== source) next.add(folderOf(to));
      folders.set(source, [...next]);
    }
    expect(cyclesOf(folders)).toEqual([]);
  });

  it(`no source file over ${MAX_FILE_LINES} lines (functions over 80 lines: Biome's noExcessiveLinesPerFunction)`, () => {
    const long = files
      .map((file) => ({ file, lines: readFileSync(join(root, file), 'utf8').split('\n').length }))
      .filter(({ lines }) => lines > MAX_FILE_LINES)
      .map(({ file, lines }) => `${file}: ${lines}`);
    expect(long).toEqual([]);
  });
});
