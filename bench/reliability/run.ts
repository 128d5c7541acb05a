/**
 * bench/reliability: the hostile-user audit's catalogue (issue 22) replayed against the CLI as a user runs it
 * (`node bin/fewprompt.mjs …`), loopback only, each case bounded in time — the failures it found, now fixed, and the
 * cases it found already handled. Prints a table — case, expected, got — and writes bench/results/reliability.json
 * and .md. Exit status 1 when a case fails.
 *
 *   npx tsx bench/reliability/run.ts [--work DIR] [--only flags,bundles,models,config,server,training,suite]
 *                                    [--requests 2000] [--samples 200]
 *
 * Setup (≈ 1 minute): trains the default model 4 steps (`train --max-steps 4 --out W/run`) and exports an INT8
 * bundle (`export --run W/run --out W/bundle`); the cases break copies of them. The whole run takes ≈ 15 minutes on
 * 2 cores. Needs /usr/bin/redis-server for the queue case and `unshare` (user namespaces) for the full-disk case.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bundleCases, configurationCases, flagAndDataCases, modelFileCases } from './cli-cases.js';
import { type Bench, cases, fp, writeResults } from './harness.js';
import { serverCases } from './server-cases.js';
import { suiteCases } from './suite-cases.js';
import { trainingCases } from './training-cases.js';

const GROUPS = ['flags', 'bundles', 'models', 'config', 'server', 'training', 'suite'] as const;
const { values } = parseArgs({
  options: {
    work: { type: 'string' },
    only: { type: 'string' },
    requests: { type: 'string', default: '2000' },
    samples: { type: 'string', default: '200' },
  },
});
const only = new Set(values.only?.split(',') ?? GROUPS);
for (const g of only)
  if (!(GROUPS as readonly string[]).includes(g))
    throw new Error(`--only: unknown group '${g}' (${GROUPS.join(', ')})`);
const work = values.work ?? mkdtempSync(join(tmpdir(), 'fewprompt-reliability-'));
mkdirSync(work, { recursive: true });

const t0 = Date.now();
const loadBefore = loadavg()[0]!;
process.stderr.write(`setup in ${work}\n`);
const bench: Bench = { work, run: join(work, 'run'), bundle: join(work, 'bundle') };
const setup = fp(['train', '--max-steps', '4', '--out', bench.run, '--no-track'], 600_000);
if (setup.status !== 0) throw new Error(`setup: train failed: ${setup.stderr.slice(-500)}`);
const exported = fp(['export', '--run', bench.run, '--out', bench.bundle, '--precision', 'int8']);
if (exported.status !== 0) throw new Error(`setup: export failed: ${exported.stderr.slice(-500)}`);

if (only.has('flags')) flagAndDataCases(bench);
if (only.has('bundles')) bundleCases(bench);
if (only.has('models')) modelFileCases(bench);
if (only.has('config')) await configurationCases(bench);
if (only.has('server'))
  await serverCases(bench, { requests: Number(values.requests), samples: Number(values.samples) });
if (only.has('training')) await trainingCases(bench);
if (only.has('suite')) await suiteCases(bench);

const minutes = (Date.now() - t0) / 60_000;
const notes = [
  `Run ${new Date().toISOString().slice(0, 10)} in ${minutes.toFixed(1)} minutes on a shared 2-core machine ` +
    `(load average ${loadBefore.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end: other ` +
    "engineers' pretraining and training jobs ran beside it), so the latencies are pessimistic.",
  'Setup: the shipped default model trained 4 steps and exported as an INT8 bundle; the server cases serve it.',
  ...(only.size < GROUPS.length ? [`Groups run: ${[...only].join(', ')} (of ${GROUPS.join(', ')}).`] : []),
];
process.exitCode = writeResults(notes) === 0 && cases.length > 0 ? 0 : 1;
