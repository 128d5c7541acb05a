#!/usr/bin/env node
// The style check: `biome check .` (formatting and lint, biome.json), then no line over 120 characters in any
// git-tracked *.ts / *.mjs file. Characters are Unicode code points: a CJK character counts as one, not as the three
// bytes `awk` (mawk) counts. Prints `file:line: N characters` for each long line and exits 1 on any failure;
// on success prints one summary line.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAX_LINE = 120;
const root = fileURLToPath(new URL('..', import.meta.url));

// Biome's report is shown only when it fails, so that a passing check prints one line.
const biome = spawnSync(join(root, 'node_modules/.bin/biome'), ['check', '.'], {
  cwd: root,
  encoding: 'utf8',
  maxBuffer: 1 << 28,
});
const biomeOk = biome.status === 0;
if (biome.error) console.error(`check-style: could not run biome: ${biome.error.message}`);
else if (!biomeOk) process.stderr.write(`${biome.stdout}${biome.stderr}`);

const listed = spawnSync(
  'git',
  ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', '*.ts', '*.mjs'],
  { cwd: root, encoding: 'utf8' },
);
if (listed.status !== 0) {
  console.error(`check-style: git ls-files failed: ${listed.stderr.trim()}`);
  process.exit(1);
}
// A tracked file deleted or moved in the working tree is not there to check.
const files = listed.stdout.split('\0').filter((f) => f !== '' && existsSync(join(root, f)));
let longLines = 0;
for (const file of files) {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  lines.forEach((line, i) => {
    const length = [...line.replace(/\r$/, '')].length;
    if (length > MAX_LINE) {
      console.log(`${file}:${i + 1}: ${length} characters`);
      longLines++;
    }
  });
}

if (longLines > 0) console.error(`check-style: ${longLines} line(s) over ${MAX_LINE} characters`);
if (!biomeOk) console.error('check-style: biome check failed (see above)');
if (longLines > 0 || !biomeOk) process.exit(1);
console.log(`check-style: biome check passed; ${files.length} files, no line over ${MAX_LINE} characters`);
