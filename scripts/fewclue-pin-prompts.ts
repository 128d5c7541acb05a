/**
 * Writes the prompt (template, label words / EFL descriptions) into suite result records that predate
 * `withPinnedPrompt`, so that they still count as finished for jobs that now carry it. Each record gets the
 * task's *current* default prompt: run this only on records trained with the current defaults (the committed
 * grid: every default is unchanged since before its first run, except EPRSTMT's PET pattern, whose runs were
 * redone). Records that already name a prompt are left as they are.
 * It cannot check that assumption, and once it was wrong: EPRSTMT's five "redone" PET records had in fact been
 * trained with the earlier pattern (their dev accuracies give it away) and were stamped with the new one; they were
 * found by a rerun and replaced (README, "Corrected"). Check a record's dev accuracy against a rerun before pinning.
 *
 *   npx tsx scripts/fewclue-pin-prompts.ts SUITE_OUT_DIR…   (e.g. runs/fc10 bench/results/fewclue-grid)
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../framework/checkpoint/atomic.js';
import { parseSuiteJob, withPinnedPrompt } from '../experiments/suite/jobs.js';
import { ResultStore } from '../experiments/suite/store.js';

const PROMPT_FIELDS = ['template', 'labelWords', 'descriptions'] as const;
let pinned = 0;
let kept = 0;
for (const out of process.argv.slice(2)) {
  for (const file of new ResultStore(out).recordFiles()) {
    const text = readFileSync(file, 'utf8');
    const record = JSON.parse(text) as { job: { config: Record<string, unknown> } };
    const config = withPinnedPrompt(parseSuiteJob(record.job, file).config) as unknown as Record<string, unknown>;
    const added = PROMPT_FIELDS.filter((k) => record.job.config[k] === undefined && config[k] !== undefined);
    if (added.length === 0) {
      kept++;
      continue;
    }
    for (const k of added) record.job.config[k] = config[k];
    const json = text.startsWith('{\n') ? JSON.stringify(record, null, 2) : JSON.stringify(record);
    writeFileAtomic(file, [new TextEncoder().encode(`${json}\n`)]);
    pinned++;
  }
}
process.stdout.write(`pinned the prompt of ${pinned} records; ${kept} already named theirs (or need none)\n`);
