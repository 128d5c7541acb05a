import { test } from 'vitest';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { DataError } from '../../../framework/errors.js';
import { errorPositions, parseSighanJson, parseSighanTruth, readSighanJson, readSighanTruthFiles } from './sighan.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

test('SpellGCN truth files: 1-based positions, several errors, correct sentences', () => {
  const pairs = readSighanTruthFiles(fixture('sighan/input.txt'), fixture('sighan/truth.txt'));
  assert.equal(pairs.length, 5);
  assert.deepEqual(pairs[0], {
    id: '(sighan13-id=0)',
    source: '我看过许多勇敢的人，不怕措折地奋斗，这种精神值得我们学习。',
    target: '我看过许多勇敢的人，不怕挫折地奋斗，这种精神值得我们学习。',
  });
  assert.deepEqual(errorPositions(pairs[0]!), [12]);
  assert.deepEqual(errorPositions(pairs[3]!), [19, 33]);
  assert.equal(Array.from(pairs[3]!.target)[19], '主');
  assert.deepEqual(errorPositions(pairs[4]!), []);
});

test('a truth character equal to the source is not an error', () => {
  const [p] = parseSighanTruth('(a)\t周末\n', '(a), 1, 周\n');
  assert.deepEqual(errorPositions(p!), []);
});

test('pycorrector JSON', () => {
  const pairs = readSighanJson(fixture('csc/sighan15_test.json'));
  assert.equal(pairs.length, 12);
  assert.equal(pairs.filter((p) => errorPositions(p).length > 0).length, 6);
  assert.deepEqual(parseSighanJson('[{"id":"a","original_text":"朋唷","wrong_ids":[1],"correct_text":"朋友"}]'), [
    { id: 'a', source: '朋唷', target: '朋友' },
  ]);
});

test('bad lines name the file, line and field', () => {
  assert.throws(
    () => parseSighanTruth('(a)\t朋唷\n', '(b), 1, 友\n', 'in.txt', 'truth.txt'),
    (e: Error) => e instanceof DataError && /truth.txt:1: id '\(b\)' is not in in.txt/.test(e.message),
  );
  assert.throws(
    () => parseSighanTruth('(a)\t朋唷\n', '(a), 3, 友\n', 'in.txt', 'truth.txt'),
    /truth.txt:1: position '3' is outside the sentence \(1..2\)/,
  );
  assert.throws(
    () => parseSighanTruth('(a)\t朋唷\n', '(a), 2\n', 'in.txt', 'truth.txt'),
    /truth.txt:1: expected 'id, pos, char/,
  );
  assert.throws(() => parseSighanTruth('no tab here\n', '', 'in.txt'), /in.txt:1: expected '\(id\)<TAB>sentence'/);
  assert.throws(
    () => parseSighanJson('[{"original_text":"朋唷","correct_text":"朋"}]', 'x.json'),
    /x.json\[0\]: original_text has 2 characters but correct_text 1/,
  );
  assert.throws(
    () => parseSighanJson('[{"original_text":3}]', 'x.json'),
    /x.json\[0\].original_text: expected a string, got number/,
  );
  assert.throws(() => parseSighanJson('{', 'x.json'), /x.json: not valid JSON/);
});
