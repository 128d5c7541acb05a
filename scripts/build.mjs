#!/usr/bin/env node
// Builds the npm package's JavaScript: dist/ mirrors the source folders (compiled .js + .d.ts from
// tsconfig.build.json, plus the plain .mjs modules), so every path the code resolves from the package root
// (models/, datasets/…/data, bin/) is the same from the sources and from dist. `npm pack` runs it (prepack).
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const FOLDERS = ['framework', 'templates', 'verbalizers', 'datasets', 'experiments', 'inference'];

rmSync(dist, { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
  cwd: root,
  stdio: 'inherit',
});
if (tsc.status !== 0) {
  console.error('build: tsc failed');
  process.exit(tsc.status ?? 1);
}

function copyModules(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'node_modules' && name !== 'testing') copyModules(path);
    } else if (name.endsWith('.mjs')) {
      const target = join(dist, relative(root, path));
      cpSync(path, target);
    }
  }
}
for (const folder of FOLDERS) copyModules(join(root, folder));
console.log(`build: ${relative(root, dist)}/ written (${dirname(relative(root, dist)) || '.'}: package root)`);
