import { test } from 'vitest';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BundleError } from '../../../framework/errors.js';
import type { CorrectionResult } from './corrector.js';
import { Taskflow, type TaskOutput } from '../index.js';
import { SHIPPED_CSC_MODEL } from './task.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const SHIPPED = existsSync(join(SHIPPED_CSC_MODEL, 'model.onnx'));
const SEEDS = ['人生就是如此,经过磨练才能让自己更加拙壮', '遇到逆竟时，我们必须勇于面对'];

test('text_correction: result type, modes, and a clear error for a missing model', async () => {
  const shape: Equal<TaskOutput<'text_correction'>, CorrectionResult> = true;
  assert.ok(shape);
  assert.deepEqual(Taskflow('text_correction').config, {
    task: 'text_correction',
    mode: 'confusion',
    model: 'fewprompt-csc-mini',
    batchSize: 32,
  });
  assert.equal(Taskflow('text_correction', { mode: 'vocab' }).config.mode, 'vocab');
  assert.throws(() => Taskflow('text_correction', { mode: 'accurate' }), /valid: confusion, vocab/);
  await assert.rejects(
    Taskflow('text_correction', { taskPath: '/nonexistent/csc' })('你好'),
    (e: Error) => e instanceof BundleError && /no csc.json/.test(e.message),
  );
});

test(`shipped model: Taskflow shape on the seed examples (answers are reported in the README, not \
asserted)`, async (ctx) => {
  if (!SHIPPED) ctx.skip('models/taskflow/text-correction not present');
  const flow = Taskflow('text_correction');
  const results = await flow(SEEDS);
  results.forEach((r, i) => {
    assert.equal(r.source, SEEDS[i]);
    const source = Array.from(r.source);
    const target = Array.from(r.target);
    assert.equal(target.length, source.length);
    assert.deepEqual(
      r.errors.map((e) => e.position),
      source.flatMap((c, k) => (c === target[k] ? [] : [k])),
    );
    for (const e of r.errors) assert.deepEqual(e.correction, { [source[e.position]!]: target[e.position]! });
  });
  assert.deepEqual(await flow('你好'), (await flow(['你好']))[0]);
});
