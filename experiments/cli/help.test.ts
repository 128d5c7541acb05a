import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'vitest';
import { COMMANDS } from './index.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Packages that take a noticeable part of a second to load: a command's `--help` must reach none of them. */
const HEAVY = [
  '@tensorflow/',
  'onnxruntime-node',
  '@node-rs/jieba',
  '@huggingface/tokenizers',
  'opencc-js',
  'bullmq',
  'arktype',
  'prom-client',
  '@bufbuild/protobuf',
];
/** Static imports (not `import type`, not `import()`) and re-exports of a module's source. */
const STATIC_IMPORT = /^(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;

/** The source file a relative specifier names (`./x.js` is `./x.ts` in the sources). */
function resolveSource(from: string, specifier: string): string {
  const target = join(dirname(from), specifier);
  const candidates = [target.replace(/\.js$/, '.ts'), target];
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new Error(`${relative(ROOT, from)}: cannot resolve ${specifier}`);
  return found;
}

/** Every package a module loads at import time, directly or through the modules it imports statically. */
function packagesLoadedBy(entry: string): Map<string, string> {
  const packages = new Map<string, string>(); // package → the first file that imports it
  const seen = new Set<string>();
  const todo = [entry];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(STATIC_IMPORT)) {
      if (specifier!.startsWith('.')) todo.push(resolveSource(file, specifier!));
      else if (!specifier!.startsWith('node:') && !packages.has(specifier!))
        packages.set(specifier!, relative(ROOT, file));
    }
  }
  return packages;
}

/** The command modules `index.ts` loads (with `import()`, when a command runs). */
function commandModules(): string[] {
  const index = fileURLToPath(new URL('./index.ts', import.meta.url));
  const modules = [...readFileSync(index, 'utf8').matchAll(/import\(\s*'(\.\/[\w-]+\.js)'\s*\)/g)];
  assert.equal(modules.length, COMMANDS.length, 'one import() per command in index.ts');
  return modules.map((m) => resolveSource(index, m[1]!));
}

test('`fewprompt --help` and every `COMMAND --help` load no model code (tfjs, ONNX Runtime, Taskflow, …)', () => {
  const heavy: string[] = [];
  const entries = [fileURLToPath(new URL('./main.ts', import.meta.url)), ...commandModules()];
  for (const entry of entries) {
    for (const [pkg, importer] of packagesLoadedBy(entry)) {
      if (HEAVY.some((h) => pkg.startsWith(h)))
        heavy.push(`${relative(ROOT, entry)}: ${pkg} (imported by ${importer})`);
    }
  }
  assert.deepEqual(heavy, [], `import these inside run() instead:\n${heavy.join('\n')}`);
});

test('every flag a command accepts is listed in its --help', async () => {
  const missing: string[] = [];
  for (const entry of COMMANDS) {
    const command = await entry.load();
    assert.equal(command.name, entry.name);
    for (const flag of Object.keys(command.options)) {
      if (!new RegExp(`--${flag}(?![\\w-])`).test(command.usage)) missing.push(`${entry.name} --${flag}`);
    }
  }
  assert.deepEqual(missing, [], `flags not in --help:\n${missing.join('\n')}`);
});
