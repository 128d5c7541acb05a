import { test } from 'vitest';
import assert from 'node:assert/strict';
import { DataError } from '../framework/errors.js';
import { FEWCLUE_TASKS, getTask, submissionFileName, toSubmission } from './index.js';

test('file names follow FewCLUE (f suffix where the test set was renewed)', () => {
  assert.deepEqual(Object.fromEntries(FEWCLUE_TASKS.map((c) => [c.kind, submissionFileName(getTask(c.kind))])), {
    eprstmt: 'eprstmt_predict.json',
    csldcp: 'csldcp_predict.json',
    tnews: 'tnewsf_predict.json',
    iflytek: 'iflytekf_predict.json',
    ocnli: 'ocnlif_predict.json',
    bustm: 'bustm_predict.json',
    chid: 'chidf_predict.json',
    csl: 'cslf_predict.json',
    cluewsc: 'cluewscf_predict.json',
  });
});

test('lines are {"id", "label"} with ids as loaded; chid writes a numeric answer', () => {
  assert.equal(
    toSubmission(getTask('eprstmt'), [
      { id: 111, label: 'Negative' },
      { id: 188, label: 'Positive' },
    ]),
    '{"id":111,"label":"Negative"}\n{"id":188,"label":"Positive"}\n',
  );
  assert.equal(toSubmission(getTask('tnews'), [{ id: '0', label: '101' }]), '{"id":"0","label":"101"}\n');
  assert.equal(toSubmission(getTask('iflytek'), [{ id: 0, label: '99' }]), '{"id":0,"label":"99"}\n');
  assert.equal(toSubmission(getTask('csldcp'), [{ id: 0, label: '力学' }]), '{"id":0,"label":"力学"}\n');
  assert.equal(
    toSubmission(getTask('chid'), [
      { id: 3000, label: '0' },
      { id: 3001, label: '6' },
    ]),
    '{"id":3000,"answer":0}\n{"id":3001,"answer":6}\n',
  );
  assert.equal(toSubmission(getTask('cluewsc'), [{ id: 1, label: 'false' }]), '{"id":1,"label":"false"}\n');
  assert.equal(toSubmission(getTask('bustm'), []), '');
});

test('unknown labels and repeated ids are refused', () => {
  assert.throws(
    () => toSubmission(getTask('eprstmt'), [{ id: 1, label: 'Neutral' }]),
    (e: unknown) =>
      e instanceof DataError &&
      /label 'Neutral' is not a eprstmt label; expected one of: Negative, Positive/.test(e.message),
  );
  assert.throws(() => toSubmission(getTask('chid'), [{ id: 1, label: '7' }]), DataError);
  assert.throws(
    () =>
      toSubmission(getTask('csl'), [
        { id: 1, label: '0' },
        { id: 1, label: '1' },
      ]),
    /id 1 is predicted twice/,
  );
});
