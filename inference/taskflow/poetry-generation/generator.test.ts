import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { exportGptOnnx } from './graph.js';
import { test } from 'vitest';
import { TaskInputError } from '../../../framework/errors.js';
import { tinyGptDir } from './tiny-gpt.fixture.js';
import { TextGenerator } from './generator.js';

test(`TextGenerator: results carry their arguments and reproduce from them; stop text ends the \
continuation`, async () => {
  const dir = await tinyGptDir();
  try {
    const gen = await TextGenerator.load(dir);
    const first = await gen.generate(['深山不见人', '床前'], { strategy: 'sampling', topK: 5, maxOutLen: 12 });
    for (const g of first) {
      assert.equal(typeof g.result.args.seed, 'number');
      const [again] = await gen.generate([g.text], g.result.args);
      assert.equal(again!.continuation, g.continuation);
    }
    const stopped = await gen.generate(['深山'], {
      strategy: 'beam_search',
      beamSize: 3,
      maxOutLen: 12,
      stopText: '。',
    });
    const c = stopped[0]!.continuation;
    assert.ok(
      !c.slice(0, -1).includes('。') && (stopped[0]!.result.finished ? c.endsWith('。') : c.length === 12),
      `continuation ${c}`,
    );
    await assert.rejects(
      gen.generate(['山'.repeat(30)]),
      (e: Error) => e instanceof TaskInputError && /reads at most 22/.test(e.message),
    );
    await assert.rejects(gen.generate(['山'], { stopText: '。。' }), /stopText '。。' is not one token/);
    // The same graph as a file: inputs and outputs carry the cache.
    const file = join(dir, 'model.onnx');
    assert.ok(exportGptOnnx(dir, file) > 0);
    const session = await ort.InferenceSession.create(file);
    assert.deepEqual(session.inputNames, [
      'input_ids',
      'position_ids',
      'attention_mask',
      'past_key_0',
      'past_value_0',
      'past_key_1',
      'past_value_1',
    ]);
    assert.deepEqual(session.outputNames, [
      'present_key_0',
      'present_value_0',
      'present_key_1',
      'present_value_1',
      'logits',
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
