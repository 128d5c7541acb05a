import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { test } from 'vitest';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LAYERS = ['framework', 'templates', 'verbalizers', 'datasets', 'experiments', 'inference'] as const;
/** docs/ARCHITECTURE.md's table: what each layer may import (itself always). */
const MAY_IMPORT: Record<string, readonly string[]> = {
  framework: [],
  templates: ['framework'],
  verbalizers: ['framework'],
  datasets: ['framework'],
  inference: ['framework', 'templates', 'verbalizers'],
  experiments: [...LAYERS],
};

test('every relative import follows docs/ARCHITECTURE.md (sources and tests)', () => {
  const files = execFileSync('git', ['ls-files', '*.ts', '*.mts', '*.mjs'], { cwd: ROOT, encoding: 'utf8' })
    .split('\n')
    .filter((file) => file !== '' && existsSync(join(ROOT, file))); // not one deleted but not yet staged
  const broken: string[] = [];
  const specifier = /(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const file of files) {
    const layer = file.split('/')[0]!;
    if (!(layer in MAY_IMPORT)) continue;
    for (const m of readFileSync(join(ROOT, file), 'utf8').matchAll(specifier)) {
      const spec = m[1] ?? m[2]!;
      if (!spec.startsWith('.')) continue;
      const target = normalize(join(dirname(file), spec)).split('/')[0]!;
      if ((LAYERS as readonly string[]).includes(target) && target !== layer && !MAY_IMPORT[layer]!.includes(target))
        broken.push(`${file} → ${spec}`);
    }
  }
  assert.deepEqual(broken, [], `imports against the table:\n${broken.join('\n')}`);
});

/**
 * The modules a module loads when imported: static `import`/`export … from` (not `import type`, which the compiler
 * erases; `verbatimModuleSyntax` keeps every other form), followed through relative specifiers; packages by name.
 */
function staticImports(entry: string): { modules: Map<string, string | null>; packages: Map<string, string> } {
  const modules = new Map<string, string | null>([[entry, null]]);
  const packages = new Map<string, string>();
  const statement = /^\s*(?:import|export)(\s+type)?\b[^'";]*?from\s+'([^']+)'|^\s*import\s+'([^']+)'/gm;
  const queue = [entry];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    for (const m of readFileSync(join(ROOT, file), 'utf8').matchAll(statement)) {
      if (m[1]) continue;
      const spec = (m[2] ?? m[3])!;
      if (!spec.startsWith('.')) {
        if (!packages.has(spec)) packages.set(spec, file);
        continue;
      }
      const target = normalize(join(dirname(file), spec)).replace(/\.js$/, '.ts');
      if (!modules.has(target)) modules.set(target, file), queue.push(target);
    }
  }
  return { modules, packages };
}

test('the runtime and Taskflow load neither tfjs nor arktype (serving needs no training code)', () => {
  for (const entry of ['inference/runtime/index.ts', 'inference/taskflow/index.ts']) {
    const { modules, packages } = staticImports(entry);
    const chain = (file: string) => {
      const path = [file];
      for (let up = modules.get(file); up; up = modules.get(up)) path.unshift(up);
      return path.join(' → ');
    };
    const heavy = [...packages].filter(([name]) => name.startsWith('@tensorflow/') || name === 'arktype');
    assert.deepEqual(
      heavy.map(([name, file]) => `${chain(file)} → ${name}`),
      [],
      `${entry} loads training-side packages`,
    );
    assert.ok(modules.size > 20, `${entry}: only ${modules.size} modules found; is the import pattern still right?`);
  }
});
