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
