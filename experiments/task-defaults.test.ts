import { test } from 'vitest';
import assert from 'node:assert/strict';
import { parseTemplate } from '../templates/index.js';
import { FEWCLUE_TASKS, getTask } from '../datasets/index.js';

const HAN = /^\p{Script=Han}+$/u;

for (const cls of FEWCLUE_TASKS) {
  const task = getTask(cls.kind);

  test(`${task.kind}: PET and P-Tuning templates parse, and label words fit their masks`, () => {
    for (const method of ['pet', 'ptuning'] as const) {
      const { template, verbalizer } = task.defaults[method];
      const parsed = parseTemplate(template, { requireMask: true, requireText: true });
      const masks = parsed.blocks.reduce((n, b) => n + (b.kind === 'mask' ? b.length : 0), 0);
      if (method === 'ptuning')
        assert.ok(
          parsed.blocks.some((b) => b.kind === 'soft'),
          `${method} template has a soft block`,
        );
      if (task.multipleChoice !== undefined) {
        assert.deepEqual(verbalizer, {});
        assert.equal(masks, task.multipleChoice.wordLength, `${method}: masks = candidate length`);
        continue;
      }
      assert.deepEqual(Object.keys(verbalizer).sort(), [...task.labels].sort(), `${method}: one entry per label`);
      const words = Object.values(verbalizer).flat();
      for (const w of words) {
        assert.equal(w.length, masks, `${method}: '${w}' has ${w.length} characters, template has ${masks} masks`);
        assert.match(w, HAN, `${method}: '${w}' is Chinese characters only`);
      }
      assert.equal(new Set(words).size, words.length, `${method}: label words are distinct`);
    }
  });

  test(`${task.kind}: EFL template parses and reads candidate_label; descriptions cover the labels`, () => {
    const { template, descriptions } = task.defaults.efl;
    const parsed = parseTemplate(template, { requireText: true });
    assert.ok(parsed.blocks.some((b) => b.kind === 'text' && b.field === 'candidate_label'));
    if (task.multipleChoice === undefined) assert.deepEqual(Object.keys(descriptions).sort(), [...task.labels].sort());
    else assert.deepEqual(descriptions, {});
  });

  test(`${task.kind}: metric is accuracy and text fields are named`, () => {
    assert.equal(task.metric, 'accuracy');
    assert.ok(task.textFields.length > 0);
    assert.equal(new Set(task.labels).size, task.labels.length);
  });
}

test('label set sizes follow the data', () => {
  const sizes = Object.fromEntries(FEWCLUE_TASKS.map((c) => [c.kind, getTask(c.kind).labels.length]));
  assert.deepEqual(sizes, {
    eprstmt: 2,
    csldcp: 67,
    tnews: 15,
    iflytek: 119,
    ocnli: 3,
    bustm: 2,
    chid: 7,
    csl: 2,
    cluewsc: 2,
  });
});
