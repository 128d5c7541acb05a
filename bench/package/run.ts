/**
 * The npm package as a user gets it: tarball size (and the default model weights' share), `import('fewprompt')` time
 * in plain Node, and `fewprompt --help` and every `COMMAND --help` (goal ≤ 0.5 s) from the installed package beside
 * the same commands from this checkout (tsx). Wall time of a whole process, median of --runs; the load average at
 * start and end says whether the machine was shared. Writes bench/results/package.json and package.md.
 * `npx tsx bench/package/run.ts [--runs 5]`
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { getPriority, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { COMMANDS } from '../../experiments/cli/index.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Number(values.runs);
const CORES = 2; // this machine's; above one runnable process per core, timings include waiting for a core
const load = loadavg()[0]!;
if (load > CORES * 0.75) console.warn(`load average ${load.toFixed(2)}: timings on a busy machine are upper bounds`);

const work = mkdtempSync(join(tmpdir(), 'fewprompt-package-bench-'));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const CLOCK_TICKS = 100; // Linux's USER_HZ (getconf CLK_TCK)
/** CPU seconds (user + system) of this process's finished children so far: cutime + cstime of /proc/self/stat. */
function childCpuSeconds(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8')
    .replace(/^.*\) /s, '')
    .split(' '); // from field 3, state
  return (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS;
}
/**
 * Median wall time and CPU time of `node ARGS`. CPU time hardly depends on other processes: on a shared machine it
 * is the better measure of what the command itself costs (10 ms resolution).
 */
function timed(args: string[], cwd: string): { wall: number; cpu: number } {
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const c0 = childCpuSeconds();
    const r = spawnSync(process.execPath, args, {
      cwd,
      stdio: 'ignore',
      env: { ...process.env, FEWPROMPT_LOG: 'warn' },
    });
    if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}`);
    walls.push((performance.now() - t0) / 1000);
    cpus.push(childCpuSeconds() - c0);
  }
  return { wall: median(walls), cpu: median(cpus) };
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
  // The root loads training (tfjs, arktype); the serving subpaths must not (docs/architecture.test.ts).
  const imports = ['fewprompt', 'fewprompt/runtime', 'fewprompt/taskflow'].map((name) => ({
    name,
    ...timed(['--input-type=module', '-e', `await import('${name}')`], project),
  }));
  const imported = imports[0]!;
  const importSeconds = imported.wall;
  const bin = join(project, 'node_modules/fewprompt/bin/fewprompt.mjs');
  const commands = ['', ...COMMANDS.map((c) => c.name)];
  const help = commands.map((c) => {
    const args = c === '' ? ['--help'] : [c, '--help'];
    const pkg = timed([bin, ...args], project);
    const checkout = timed([join(ROOT, 'bin/fewprompt.mjs'), ...args], ROOT).wall;
    const command = `fewprompt ${c} --help`.replace('  ', ' ');
    return { command, package: pkg.wall, packageCpu: pkg.cpu, checkout, ratio: checkout / pkg.wall };
  });
  const loadAtEnd = loadavg()[0]!;
  const nice = getPriority();
  const result = {
    date: new Date().toISOString(),
    load,
    loadAtEnd,
    nice,
    runs,
    tarballBytes: size,
    defaultModelWeightsGzBytes: weights,
    restBytes: size - weights,
    importSeconds,
    importCpuSeconds: imported.cpu,
    imports,
    help,
  };
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench/results/package.json'), `${JSON.stringify(result, null, 2)}\n`);
  const mb = (b: number) => (b / 1e6).toFixed(1);
  const md = [
    '# The npm package (bench/package/run.ts)',
    '',
    `Measured ${result.date.slice(0, 10)}, load average ${load.toFixed(2)} at the start and ${loadAtEnd.toFixed(2)} ` +
      `at the end (${CORES} cores), median of ${runs} runs. ` +
      (Math.max(load, loadAtEnd) > CORES * 0.75
        ? 'The machine was shared (other sessions were running training, tests and builds): every time is an upper ' +
          `bound${nice < 0 ? `, though this run had priority over them (nice ${nice})` : ''}.`
        : 'The machine was quiet.'),
    '',
    `Tarball ${mb(size)} MB: the default model's weights ${mb(weights)} MB (compressed), everything else ` +
      `${mb(size - weights)} MB. \`import('fewprompt')\` in plain Node: ${importSeconds.toFixed(2)} s ` +
      `(${imported.cpu.toFixed(2)} s of CPU; goal ≤ 2 s).`,
    '',
    '| import | wall (s) | CPU (s) |',
    '|---|---:|---:|',
    ...imports.map((i) => `| \`import('${i.name}')\` | ${i.wall.toFixed(2)} | ${i.cpu.toFixed(2)} |`),
    '',
    'Goal: every `--help` in ≤ 0.5 s from the installed package. `fewprompt --help` loads no command module: its row ' +
      "is the floor, Node's own start-up on this machine at this load.",
    '',
    '| command | installed package (s) | its CPU time (s) | checkout, tsx (s) | checkout / package |',
    '|---|---:|---:|---:|---:|',
    ...help.map(
      (h) =>
        `| \`${h.command}\` | ${h.package.toFixed(2)} | ${h.packageCpu.toFixed(2)} | ${h.checkout.toFixed(2)} | ` +
        `${h.ratio.toFixed(1)}× |`,
    ),
    '',
  ].join('\n');
  writeFileSync(join(ROOT, 'bench/results/package.md'), md);
  console.log(md);
} finally {
  rmSync(work, { recursive: true, force: true });
}
