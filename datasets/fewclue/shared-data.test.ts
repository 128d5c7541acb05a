import { test } from 'vitest';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CSLDCP_LABELS, FEWCLUE_TASKS, IFLYTEK_LABELS, SPLIT_IDS, TNEWS_LABELS, getTask, type Part } from '../index.js';

/** The full FewCLUE copy in a project checkout; absent on a user's machine, where these tests skip. */
const SHARED = fileURLToPath(new URL('../../../shared/fewclue/', import.meta.url));
const HAVE = existsSync(SHARED);
const SKIP = `no FewCLUE copy at ${SHARED} (only in a project checkout)`;

/**
 * Expected sizes, as in datasets/fewclue/README.md: [train_0..4,
 * train_few_all, dev_0..4, dev_few_all, test_public, test, unlabeled].
 */
const COUNTS: Record<string, readonly (number | null)[]> = {
  eprstmt: [32, 32, 32, 32, 32, 160, 32, 32, 32, 32, 32, 160, 610, 753, 19565],
  csldcp: [536, 536, 536, 536, 536, 2036, 536, 536, 536, 536, 536, 2068, 1784, 2999, null],
  tnews: [240, 240, 240, 240, 240, 1185, 240, 240, 240, 240, 240, 1098, 2010, 1500, 20000],
  iflytek: [928, 928, 928, 928, 928, 3024, 690, 690, 690, 690, 690, 1373, 1749, 2600, null],
  ocnli: [32, 32, 32, 32, 32, 160, 32, 32, 32, 32, 32, 160, 2520, 3000, null],
  bustm: [32, 32, 32, 32, 32, 160, 32, 32, 32, 32, 32, 160, 1772, 2000, 4251],
  chid: [42, 42, 42, 42, 42, 202, 42, 42, 42, 42, 42, 202, 2002, 2000, 7585],
  csl: [32, 32, 32, 32, 32, 160, 32, 32, 32, 32, 32, 160, 2838, 3000, null],
  cluewsc: [32, 32, 32, 32, 32, 160, 32, 32, 32, 32, 32, 159, 976, 290, null],
};

for (const cls of FEWCLUE_TASKS) {
  test(`${cls.kind}: every split of the full data loads with the README's counts`, (t) => {
    if (!HAVE) {
      t.skip(SKIP);
      return;
    }
    const task = getTask(cls.kind, { dataDir: SHARED });
    const got: (number | null)[] = [];
    for (const part of ['train', 'dev'] as const)
      for (const split of SPLIT_IDS) got.push(task.load(part, { split }).length);
    for (const part of ['test_public', 'test', 'unlabeled'] as Part[]) {
      got.push(existsSync(`${SHARED}${cls.kind}/${part}.json`) ? task.load(part).length : null);
    }
    assert.deepEqual(got, COUNTS[cls.kind]);
  });
}

test("embedded label tables match the data's label files", (t) => {
  if (!HAVE) {
    t.skip(SKIP);
    return;
  }
  const all = readFileSync(`${SHARED}csldcp/labels_all.txt`, 'utf8')
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  assert.deepEqual(
    CSLDCP_LABELS.map(([l]) => l),
    all,
  );
  const words: unknown = JSON.parse(readFileSync(`${SHARED}csldcp/label_words.json`, 'utf8'));
  assert.deepEqual(words, { label_words: Object.fromEntries(CSLDCP_LABELS.map(([l, w]) => [l, w])) });
  const tnews = readFileSync(`${SHARED}tnews/label_index2en2zh.json`, 'utf8')
    .split('\n')
    .filter((s) => s.trim() !== '')
    .map((s): unknown => JSON.parse(s));
  assert.deepEqual(
    tnews,
    TNEWS_LABELS.map(([label, label_desc, label_zh]) => ({ label, label_desc, label_zh })),
  );
  const ifly: unknown = JSON.parse(readFileSync(`${SHARED}iflytek/label_words.json`, 'utf8'));
  assert.ok(typeof ifly === 'object' && ifly !== null && 'label_ids' in ifly);
  assert.deepEqual(ifly.label_ids, Object.fromEntries(IFLYTEK_LABELS.map(([name], i) => [name, i])));
});

test('the bundled EPRSTMT files are byte-identical to the FewCLUE copy', (t) => {
  if (!HAVE) {
    t.skip(SKIP);
    return;
  }
  const bundled = fileURLToPath(new URL('./eprstmt/data/', import.meta.url));
  for (const part of ['train', 'dev'] as const) {
    for (const split of SPLIT_IDS) {
      const f = `${part}_${split}.json`;
      assert.equal(readFileSync(bundled + f, 'utf8'), readFileSync(`${SHARED}eprstmt/${f}`, 'utf8'), f);
    }
  }
  for (const f of ['test_public.json', 'test.json'])
    assert.equal(readFileSync(bundled + f, 'utf8'), readFileSync(`${SHARED}eprstmt/${f}`, 'utf8'), f);
  // unlabeled.json: a sample of the FewCLUE file's lines, none of them a test_public / test text.
  const lines = (path: string) =>
    readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');
  const shared = new Set(lines(`${SHARED}eprstmt/unlabeled.json`));
  const sample = lines(`${bundled}unlabeled.json`);
  assert.equal(sample.length, 1000);
  assert.ok(
    sample.every((l) => shared.has(l)),
    'every bundled unlabeled line is a line of the FewCLUE file',
  );
  const testTexts = new Set(
    ['test_public.json', 'test.json']
      .flatMap((f) => lines(bundled + f))
      .map((l) => (JSON.parse(l) as { sentence: string }).sentence),
  );
  assert.ok(
    !sample.some((l) => testTexts.has((JSON.parse(l) as { sentence: string }).sentence)),
    'no test text in the bundled unlabeled sample',
  );
});
