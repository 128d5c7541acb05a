import assert from 'node:assert/strict';
import { test } from 'vitest';
import * as ort from 'onnxruntime-node';
import { generate } from '../../../framework/generation/generate.js';
import { TfjsCachedSource, TfjsNaiveSource } from './tfjs-source.js';
import { GptModel } from './gpt.js';
import { GPT_DEFAULTS, type GptConfig } from './gpt-config.js';
import { useBackend } from '../../../framework/testing/backends.js';
import { WeightReader } from '../../../framework/onnx/weights.js';
import { buildGptGraph } from './graph.js';
import { OrtCachedSource } from './ort-source.js';

const tiny = (normalization: 'pre' | 'post', hiddenAct: GptConfig['hiddenAct'] = 'gelu'): GptConfig => ({
  ...GPT_DEFAULTS,
  vocabSize: 29,
  hiddenSize: 16,
  numLayers: 2,
  numHeads: 4,
  intermediateSize: 24,
  maxPositions: 40,
  normalization,
  hiddenAct,
  initializerRange: 0.4,
});

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

for (const [norm, act] of [
  ['pre', 'gelu'],
  ['post', 'gelu_new'],
] as const) {
  test(`ONNX cached graph (${norm}-LN, ${act}) matches tfjs: logits of prefill and steps, and every strategy's \
output`, async () => {
    await useBackend('cpu');
    const config = tiny(norm, act);
    const model = GptModel.create(config, 11);
    const session = await ort.InferenceSession.create(buildGptGraph(config, new WeightReader(model.stateDict())));
    const prompts = [[2, 5, 8], [2], [2, 9, 14, 6, 8, 21]];
    const tfjs = new TfjsNaiveSource(model);
    const onnx = new OrtCachedSource(ort, session, config);
    assert.ok(maxDiff(await onnx.start(prompts), await tfjs.start(prompts)) < 1e-4, 'prefill logits');
    for (const [parents, tokens] of [
      [
        [0, 1, 2],
        [7, 7, 7],
      ],
      [
        [2, 2, 0],
        [4, 5, 6],
      ],
      [[1], [9]],
    ] as const) {
      const d = maxDiff(await onnx.step(parents, tokens), await tfjs.step(parents, tokens));
      assert.ok(d < 1e-4, `step logits differ by ${d}`);
    }
    for (const options of [
      { strategy: 'greedy' as const },
      { strategy: 'beam_search' as const, beamSize: 3, alpha: 0.6, diversityRate: 0.2 },
      { strategy: 't2t_beam_search' as const, beamSize: 4 },
      { strategy: 'sampling' as const, topP: 0.8, seed: 9 },
    ]) {
      const args = { ...options, maxOutLen: 12, eosTokenId: 3, bannedTokenIds: [0, 1, 2] };
      const expected = await generate(new TfjsCachedSource(model), prompts, args);
      const got = await generate(onnx, prompts, args);
      assert.deepEqual(
        got.results.map((r) => r.tokens),
        expected.results.map((r) => r.tokens),
        options.strategy,
      );
    }
    model.dispose();
  });
}
