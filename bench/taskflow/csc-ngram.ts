/**
 * What the n-gram rule costs `text_correction`: the shipped corrector with its `lm` section, the same directory
 * without the context model (context.bin and its rule terms), and without the section, in one process, alternating
 * rounds (the cores are shared, so each row is the median round), on the texts bench.ts uses for its
 * text_correction rows. Reports wall-clock and CPU-time throughput
 * (all threads: what the other processes on the machine take does not enter) and the n-gram models' load time.
 *
 *   npx tsx bench/taskflow/csc-ngram.ts [--file ../shared/cws/sxu_test.txt] [--lines 200] [--rounds 5]
 * Writes bench/results/csc-ngram.json and bench/results/csc-ngram.md.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Corrector, type CscManifest } from '../../inference/taskflow/text-correction/corrector.js';
import { type LmRule, loadLmSection } from '../../inference/taskflow/text-correction/lm-rule.js';
import { SHIPPED_CSC_MODEL } from '../../inference/taskflow/text-correction/task.js';

const { values } = parseArgs({
  options: {
    file: { type: 'string', default: '../shared/cws/sxu_test.txt' },
    lines: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '5' },
  },
});
const texts = readFileSync(values.file, 'utf8')
  .split(/\r?\n/)
  .map((l) => l.replace(/\s+/gu, ''))
  .filter(Boolean)
  .slice(0, Number(values.lines));
const chars = texts.reduce((a, t) => a + [...t].length, 0);

/** A copy of the shipped model directory with its csc.json edited. */
function variant(edit: (manifest: CscManifest) => CscManifest): string {
  const dir = mkdtempSync(join(tmpdir(), 'csc-variant-'));
  cpSync(SHIPPED_CSC_MODEL, dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(dir, 'csc.json'), 'utf8')) as CscManifest;
  writeFileSync(join(dir, 'csc.json'), JSON.stringify(edit(manifest)));
  return dir;
}
// Less its `lm` section: the network's thresholds decide, as before the rule.
const plainDir = variant(({ lm: _lm, ...manifest }) => manifest);
// The rule without the context model's terms (its weights as chosen with them; the cost is what we measure).
const noContextDir = variant((manifest) => {
  if (!manifest.lm) return manifest;
  const { context: _context, ...lm } = manifest.lm;
  const strip = ({ contextWeight: _c, posWeight: _p, groupBias: _g, ...rule }: LmRule): LmRule => rule;
  const rules = Object.fromEntries(Object.entries(lm.rules).map(([mode, rule]) => [mode, strip(rule)]));
  return { ...manifest, lm: { ...lm, rules } };
});

const systems = {
  'network only': await Corrector.load(plainDir),
  'network + n-gram rule, no context model': await Corrector.load(noContextDir),
  'network + n-gram rule': await Corrector.load(SHIPPED_CSC_MODEL),
};
// The n-gram models' own load time (the network's session start-up is the same either way), wall and CPU.
const loads = Array.from({ length: 3 }, () => {
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  loadLmSection(SHIPPED_CSC_MODEL, systems['network + n-gram rule'].manifest.lm!, 'csc.json');
  const used = process.cpuUsage(cpu0);
  return { wall: performance.now() - wall0, cpu: (used.user + used.system) / 1000 };
});

const samples: Record<string, { wall: number[]; cpu: number[] }> = {};
for (let round = 0; round < Number(values.rounds); round++)
  for (const batchSize of [1, 32])
    for (const [name, corrector] of Object.entries(systems)) {
      await corrector.correct(texts.slice(0, 4), { batchSize }); // warm-up
      const cpu0 = process.cpuUsage();
      const wall0 = performance.now();
      await corrector.correct(texts, { batchSize });
      const wall = (performance.now() - wall0) / 1000;
      const used = process.cpuUsage(cpu0);
      const row = (samples[`${name}|${batchSize}`] ??= { wall: [], cpu: [] });
      row.wall.push(chars / wall);
      row.cpu.push(chars / ((used.user + used.system) / 1e6));
    }
for (const corrector of Object.values(systems)) await corrector.release();
for (const dir of [plainDir, noContextDir]) rmSync(dir, { recursive: true, force: true });

const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
const rows = Object.entries(samples).map(([key, s]) => {
  const [name, batch] = key.split('|');
  return { name: name!, batch: Number(batch), charsPerSecond: median(s.wall), charsPerCpuSecond: median(s.cpu), ...s };
});
const load = loadavg().map((x) => x.toFixed(1));
const md = [
  '# text_correction: the cost of the n-gram rule',
  '',
  `${texts.length} texts (${chars} characters) of ${values.file}; median of ${values.rounds} alternating rounds; ` +
    `load average ${load.join(' / ')} at the end.`,
  `The n-gram models and the context model load in ${loads.map((l) => l.wall.toFixed(0)).join(' / ')} ms ` +
    `(${loads.map((l) => l.cpu.toFixed(0)).join(' / ')} ms of CPU), three loads.`,
  '',
  '| system | batch | chars/s | chars per CPU-second |',
  '|---|---:|---:|---:|',
  ...rows.map(
    (r) =>
      `| ${r.name} | ${r.batch} | ${Math.round(r.charsPerSecond).toLocaleString('en')} | ` +
      `${Math.round(r.charsPerCpuSecond).toLocaleString('en')} |`,
  ),
];
writeFileSync('bench/results/csc-ngram.md', `${md.join('\n')}\n`);
writeFileSync(
  'bench/results/csc-ngram.json',
  `${JSON.stringify({ load, texts: texts.length, chars, rows }, null, 2)}\n`,
);
console.log(md.join('\n'));
