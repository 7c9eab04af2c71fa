import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

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

/** Project files each file imports (static and dynamic), as repository paths. */
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

/** The kernel: pure foundation (errors, IDs, registers, JSON): imports nothing of the project's but itself. */
const isKernel = (file: string) => file.startsWith('shared/kernel/');
const isPlatform = (file: string) => file.startsWith('shared/platform/');
const isDomain = (file: string) => file.startsWith('shared/domains/');

/**
 * Which layer may import which: the kernel at the bottom (pure: no package but Node's own); the platform (AWS
 * adapters, store, queue, http, observability) above it, knowing no domain; the domains above the platform;
 * the application (use cases spanning domains, composition roots) above them; entry points on top. `infra/`
 * reads only dependency-free modules of `shared/`.
 */
const allowed = (from: string, to: string): boolean => {
  if (isKernel(from)) return isKernel(to);
  if (isPlatform(from)) return isKernel(to) || isPlatform(to);
  if (isDomain(from)) return isKernel(to) || isPlatform(to) || isDomain(to);
  if (from.startsWith('shared/')) return to.startsWith('shared/');
  if (from.startsWith('functions/')) return to.startsWith('shared/');
  if (from.startsWith('infra/'))
    return (
      to.startsWith('infra/') ||
      isKernel(to) ||
      [
        'shared/platform/constants.ts',
        'shared/platform/http/routes.ts',
        'shared/platform/store/tables.ts',
      ].includes(to)
    );
  return true;
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
      .filter((file) => isKernel(file))
      .flatMap((file) => packages(file).map((name) => `${file} → ${name}`));
    expect(impure).toEqual([]);
  });

  it('no import cycle', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...path.slice(path.indexOf(file)), file].join(' → '));
        return;
      }
      state.set(file, 'open');
      for (const target of imports.get(file) ?? []) visit(target, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of files) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it(`no source file over ${MAX_FILE_LINES} lines (functions over 80 lines: Biome's noExcessiveLinesPerFunction)`, () => {
    const long = files
      .map((file) => ({ file, lines: readFileSync(join(root, file), 'utf8').split('\n').length }))
      .filter(({ lines }) => lines > MAX_FILE_LINES)
      .map(({ file, lines }) => `${file}: ${lines}`);
    expect(long).toEqual([]);
  });
});
