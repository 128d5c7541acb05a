import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'vitest';
import { expandJobs, parseSplits, parseVariants } from './jobs.js';
import { buildReport, formatCell, meanStd, renderMarkdown, writeReport } from './report.js';
import type { JobRecord } from './store.js';

const jobs = expandJobs({
  tasks: ['eprstmt', 'csl'],
  variants: parseVariants(['pet'], 0.1),
  splits: parseSplits('0-2'),
  rdropAlpha: 0.1,
  base: { model: '/m', maxSteps: 3 },
});
/** test_public accuracy by job id; csl/pet+rdrop/2 has no result (missing). */
const ACC: Record<string, number> = {
  'eprstmt/pet/0': 0.8,
  'eprstmt/pet/1': 0.9,
  'eprstmt/pet/2': 0.85,
  'eprstmt/pet+rdrop/0': 0.9,
  'eprstmt/pet+rdrop/1': 0.9,
  'eprstmt/pet+rdrop/2': 0.9,
  'csl/pet/0': 0.5,
  'csl/pet/1': 0.6,
  'csl/pet/2': 0.4,
  'csl/pet+rdrop/0': 0.6,
  'csl/pet+rdrop/1': 0.5,
};
const records: JobRecord[] = jobs
  .filter((j) => ACC[j.id] !== undefined)
  .map((job) => ({
    job,
    worker: 'h:1',
    attempts: 1,
    finishedAt: '2024-01-01T00:00:00Z',
    result: {
      task: job.config.task,
      method: job.config.method,
      split: job.config.split,
      devAccuracy: 0.5,
      testAccuracy: ACC[job.id]!,
      testExamples: 16,
      bestStep: 1,
      steps: 3,
      trainSeconds: 1,
      history: [],
    },
  }));

test("formatCell: mean ± std, and how many of the report's splits a partial cell holds", () => {
  assert.equal(formatCell({ mean: 80, std: 1.7678, n: 2 }), '80.00 ± 1.77');
  assert.equal(formatCell({ mean: 80, std: 1.7678, n: 2 }, 5), '80.00 ± 1.77 (2/5)');
  assert.equal(formatCell({ mean: 80, std: 0, n: 1 }, 5), '80.00 (1/5)');
  assert.equal(formatCell({ mean: 80, std: 1, n: 5 }, 5), '80.00 ± 1.00');
  assert.equal(formatCell(undefined, 5), '–');
});

test('meanStd: sample standard deviation', () => {
  assert.deepEqual(meanStd([85]), { mean: 85, std: 0 });
  const { mean, std } = meanStd([80, 90, 85]);
  assert.equal(mean, 85);
  assert.ok(Math.abs(std - 5) < 1e-12);
  assert.ok(Number.isNaN(meanStd([]).mean));
});

test(`buildReport: per task × variant mean ± std over splits, overall = mean of task means, \
missing jobs listed`, () => {
  const report = buildReport(jobs, records, [{ id: 'csl/pet+rdrop/2', reason: 'boom', attempts: 2 }]);
  assert.deepEqual(report.variants, ['pet', 'pet+rdrop']);
  const cell = (task: string, variant: string) => report.cells.find((c) => c.task === task && c.variant === variant)!;
  assert.ok(Math.abs(cell('eprstmt', 'pet').mean - 85) < 1e-9);
  assert.ok(Math.abs(cell('eprstmt', 'pet').std - 5) < 1e-9);
  assert.equal(cell('eprstmt', 'pet+rdrop').std, 0);
  assert.equal(cell('csl', 'pet+rdrop').n, 2);
  assert.ok(Math.abs(cell('csl', 'pet+rdrop').mean - 55) < 1e-9);
  const pet = report.overall.find((o) => o.variant === 'pet')!;
  assert.ok(Math.abs(pet.mean - (85 + 50) / 2) < 1e-9);
  assert.equal(pet.complete, true);
  assert.deepEqual(report.missing, ['csl/pet+rdrop/2']);
  // Published numbers: the EPRSTMT rows match; the 9-task mean does not (2 tasks only).
  assert.deepEqual(
    report.references.map((r) => `${r.task}/${r.variant}`),
    ['eprstmt/pet', 'eprstmt/pet+rdrop'],
  );

  const md = renderMarkdown(report);
  assert.match(md, /\| task \| pet \| pet\+rdrop \|/);
  assert.match(md, /\| eprstmt \| 85\.00 ± 5\.00 \| 90\.00 ± 0\.00 \|/);
  assert.match(md, /\| \*\*overall\*\* \| \*\*67\.50\*\* \| \*\*72\.50\*\* \|/);
  assert.match(md, /\| eprstmt \| pet \| 85\.00 \| 86\.88 \| PaddleNLP/);
  assert.match(md, /`csl\/pet\+rdrop\/2` after 2 attempt\(s\): boom/);
  assert.match(md, /max 3 steps per run/);
});

test('writeReport: markdown, JSON, HTML with an inline SVG bar chart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fewprompt-report-'));
  try {
    const files = writeReport(dir, buildReport(jobs, records));
    assert.equal(JSON.parse(readFileSync(files.json, 'utf8')).cells.length, 4);
    const html = readFileSync(files.html, 'utf8');
    assert.match(html, /<table>/);
    assert.match(html, /<svg [^>]*viewBox/);
    assert.equal(
      (html.match(/<rect [^>]*fill="#/g) ?? []).length,
      4 + 2 + 2,
      'one bar per cell and per overall, plus two legend swatches',
    );
    assert.match(html, /eprstmt pet: 85\.00 ± 5\.00/);
    assert.match(readFileSync(files.svg, 'utf8'), /^<svg/);
    assert.match(readFileSync(files.markdown, 'utf8'), /!\[chart\]\(chart\.svg\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
