/**
 * The npm package as a user gets it: tarball size (and the default model weights' share), `import('fewprompt')` time
 * in plain Node, and `--help` times from the installed package beside the same commands from this checkout (tsx).
 * Writes bench/results/package.json and package.md.  `npx tsx bench/package/run.ts [--runs 5]`
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Number(values.runs);
const load = loadavg()[0]!;
if (load > 1.5) console.warn(`load average ${load.toFixed(2)}: timings on a busy machine are not evidence`);

const work = mkdtempSync(join(tmpdir(), 'fewprompt-package-bench-'));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
function timed(args: string[], cwd: string): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, {
      cwd,
      stdio: 'ignore',
      env: { ...process.env, FEWPROMPT_LOG: 'warn' },
    });
    if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}`);
    times.push((performance.now() - t0) / 1000);
  }
  return median(times);
}

try {
  execFileSync('npm', ['pack', '--pack-destination', work], { cwd: ROOT, stdio: 'ignore' });
  const tarball = join(work, readdirSync(work).find((f) => f.endsWith('.tgz'))!);
  const size = statSync(tarball).size;
  const weights = gzipSync(readFileSync(join(ROOT, 'models/fewprompt-zh-mini/model.safetensors'))).length;
  const project = join(work, 'consumer');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), '{ "name": "consumer", "private": true, "type": "module" }\n');
  execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], {
    cwd: project,
    stdio: 'ignore',
    env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' },
  });
  const importSeconds = timed(['--input-type=module', '-e', "await import('fewprompt')"], project);
  const bin = join(project, 'node_modules/fewprompt/bin/fewprompt.mjs');
  const commands = ['', 'train', 'export', 'predict', 'serve', 'taskflow'];
  const help = commands.map((c) => {
    const args = c === '' ? ['--help'] : [c, '--help'];
    const pkg = timed([bin, ...args], project);
    const checkout = timed([join(ROOT, 'bin/fewprompt.mjs'), ...args], ROOT);
    return { command: `fewprompt ${c} --help`.replace('  ', ' '), package: pkg, checkout, ratio: checkout / pkg };
  });
  const result = {
    date: new Date().toISOString(),
    load,
    runs,
    tarballBytes: size,
    defaultModelWeightsGzBytes: weights,
    restBytes: size - weights,
    importSeconds,
    help,
  };
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench/results/package.json'), `${JSON.stringify(result, null, 2)}\n`);
  const mb = (b: number) => (b / 1e6).toFixed(1);
  const md = [
    '# The npm package (bench/package/run.ts)',
    '',
    `Measured ${result.date.slice(0, 10)}, load average ${load.toFixed(2)}, median of ${runs} runs.`,
    '',
    `Tarball ${mb(size)} MB: the default model's weights ${mb(weights)} MB (compressed), everything else ` +
      `${mb(size - weights)} MB. \`import('fewprompt')\` in plain Node: ${importSeconds.toFixed(2)} s.`,
    '',
    '| command | installed package (s) | checkout, tsx (s) | checkout / package |',
    '|---|---:|---:|---:|',
    ...help.map(
      (h) => `| \`${h.command}\` | ${h.package.toFixed(2)} | ${h.checkout.toFixed(2)} | ${h.ratio.toFixed(1)}× |`,
    ),
    '',
  ].join('\n');
  writeFileSync(join(ROOT, 'bench/results/package.md'), md);
  console.log(md);
} finally {
  rmSync(work, { recursive: true, force: true });
}
