import assert from 'node:assert/strict';
import { test } from 'vitest';
import { tf } from '../../../framework/backend/tf.js';
import { ConfigError } from '../../../framework/errors.js';
import { generate } from '../../../framework/generation/generate.js';
import { TfjsCachedSource, TfjsNaiveSource } from './tfjs-source.js';
import { useBackend } from '../../../framework/testing/backends.js';
import { Trainer } from '../../../framework/trainer/trainer.js';
import { GptModel } from './gpt.js';
import { GPT_DEFAULTS, gptConfigFromJson, gptConfigToJson, type GptConfig } from './gpt-config.js';
import { CausalLmObjective } from './gpt-objective.js';

const tiny = (normalization: 'pre' | 'post'): GptConfig => ({
  ...GPT_DEFAULTS,
  vocabSize: 23,
  hiddenSize: 16,
  numLayers: 2,
  numHeads: 2,
  intermediateSize: 32,
  maxPositions: 40,
  normalization,
  initializerRange: 0.4,
});

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

for (const norm of ['pre', 'post'] as const) {
  test(`${norm}-LN GPT: cached steps equal full recomputation; causal; no leaks`, async () => {
    await useBackend('cpu');
    const model = GptModel.create(tiny(norm), 3);
    const before = tf.memory().numTensors;
    const ids = [2, 7, 9, 11, 5, 19, 4];
    // Full pass over all tokens vs prefix of 3 + one token at a time through the cache.
    const full = tf.tidy(() =>
      model.logits(model.forward({ inputIds: tf.tensor2d([ids], [1, 7], 'int32') }).hidden).dataSync(),
    );
    const stepped: number[] = [];
    let cache = tf.tidy(() => {
      const out = model.forward({ inputIds: tf.tensor2d([ids.slice(0, 3)], [1, 3], 'int32') });
      stepped.push(...model.logits(out.hidden).dataSync());
      return out.present;
    });
    for (let t = 3; t < ids.length; t++) {
      const next = tf.tidy(() => {
        const out = model.forward({ inputIds: tf.tensor2d([[ids[t]!]], [1, 1], 'int32') }, cache);
        stepped.push(...model.logits(out.hidden).dataSync());
        return out.present;
      });
      tf.dispose([...cache.keys, ...cache.values]);
      cache = next;
    }
    tf.dispose([...cache.keys, ...cache.values]);
    assert.ok(maxDiff(full, stepped) < 1e-4, `cached vs full: ${maxDiff(full, stepped)}`);
    // Changing the last token changes nothing before it.
    const changed = tf.tidy(() =>
      model
        .logits(model.forward({ inputIds: tf.tensor2d([[...ids.slice(0, 6), 13]], [1, 7], 'int32') }).hidden)
        .dataSync(),
    );
    assert.ok(maxDiff(full.slice(0, 6 * 23), changed.slice(0, 6 * 23)) === 0, 'a later token changed earlier logits');
    assert.ok(maxDiff(full.slice(6 * 23), changed.slice(6 * 23)) > 1e-3, 'the last position ignores its own token');
    assert.equal(tf.memory().numTensors, before, 'tensors leaked');
    model.dispose();
  });
}

test(`naive and cached tfjs sources give the same generations (left-padded batches, beams reordering the \
cache)`, async () => {
  await useBackend('cpu');
  const model = GptModel.create(tiny('pre'), 5);
  const before = tf.memory().numTensors;
  const prompts = [[2, 5], [2, 9, 14, 6, 8], [2]];
  for (const options of [
    { strategy: 'greedy' as const },
    { strategy: 'beam_search' as const, beamSize: 3, alpha: 0.6 },
    { strategy: 't2t_beam_search' as const, beamSize: 4 },
    { strategy: 'sampling' as const, topK: 8, seed: 4 },
  ]) {
    const args = { ...options, maxOutLen: 10, eosTokenId: 3, bannedTokenIds: [0, 1, 2] };
    const naive = await generate(new TfjsNaiveSource(model), prompts, args);
    const cached = await generate(new TfjsCachedSource(model), prompts, args);
    assert.deepEqual(
      cached.results.map((r) => r.tokens),
      naive.results.map((r) => r.tokens),
      options.strategy,
    );
    cached.results.forEach((r, i) =>
      assert.ok(
        Math.abs(r.score - naive.results[i]!.score) < 1e-3,
        `${options.strategy} prompt ${i}: ${r.score} vs ${naive.results[i]!.score}`,
      ),
    );
    // A left-padded prompt generates what it generates alone.
    const alone = await generate(new TfjsCachedSource(model), [prompts[1]!], args);
    assert.deepEqual(alone.results[0]!.tokens, cached.results[1]!.tokens, `${options.strategy}: alone vs batch`);
  }
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  model.dispose();
});

test('config round trip and typed errors', () => {
  for (const norm of ['pre', 'post'] as const)
    assert.deepEqual(gptConfigFromJson(gptConfigToJson(tiny(norm))), tiny(norm));
  assert.throws(
    () => gptConfigFromJson({ model_type: 'bert' }),
    (e: Error) => e instanceof ConfigError && /model_type must be 'fewprompt-gpt'/.test(e.message),
  );
  assert.throws(
    () => gptConfigFromJson({ model_type: 'fewprompt-gpt', normalization: 'sandwich' }),
    /normalization 'sandwich' is not supported; expected one of pre, post/,
  );
  assert.throws(
    () => gptConfigFromJson({ model_type: 'fewprompt-gpt', hidden_size: 30, num_heads: 4 }),
    /hidden_size 30 is not divisible by num_heads 4/,
  );
});

test('state dict round trip; a mismatched checkpoint loads nothing', async () => {
  await useBackend('cpu');
  const a = GptModel.create(tiny('post'), 1);
  const b = GptModel.fromStateDict(tiny('post'), a.stateDict());
  const x = tf.tensor2d([[2, 4, 6]], [1, 3], 'int32');
  const la = tf.tidy(() => a.logits(a.forward({ inputIds: x }).hidden).dataSync());
  const lb = tf.tidy(() => b.logits(b.forward({ inputIds: x }).hidden).dataSync());
  assert.equal(maxDiff(la, lb), 0);
  assert.throws(
    () => GptModel.fromStateDict(tiny('pre'), a.stateDict()),
    /missing keys .*ln_f\.weight.*unexpected keys .*ln_emb\.weight/,
  );
  tf.dispose([x]);
  a.dispose();
  b.dispose();
});

for (const backend of ['cpu', 'native'] as const) {
  test(`the Trainer learns a repeating sequence with the causal LM objective (${backend})`, async () => {
    await useBackend(backend);
    const model = GptModel.create({ ...tiny('pre'), initializerRange: 0.02 }, 9);
    const cycle = [4, 8, 15, 16, 22, 7];
    const chunks = Array.from({ length: 24 }, (_, i) =>
      Array.from({ length: 9 }, (_, t) => cycle[(i + t) % cycle.length]!),
    );
    const objective = new CausalLmObjective(model, { lr: 1e-2, padId: 0 });
    const result = await new Trainer(objective, {
      maxSteps: 60,
      batchSize: 8,
      seed: 1,
      progress: false,
      evalEvery: 60,
    }).fit(chunks, chunks.slice(0, 6));
    const losses = result.history.flatMap((h) => (h.loss === undefined ? [] : [h.loss]));
    assert.ok(losses[losses.length - 1]! < 0.2 * losses[0]!, `loss ${losses[0]} → ${losses[losses.length - 1]}`);
    assert.equal(result.bestDev, 1, `dev next-token accuracy ${result.bestDev}`);
    const { results } = await generate(new TfjsCachedSource(model), [[4, 8]], { maxOutLen: 6, eosTokenId: 3 });
    assert.deepEqual(results[0]!.tokens, [15, 16, 22, 7, 4, 8]);
    model.dispose();
  });
}

test('packed rows: position ids restart at each BOS; padding carries no label', async () => {
  await useBackend('cpu');
  const model = GptModel.create(tiny('pre'), 2);
  const objective = new CausalLmObjective(model, { lr: 1e-3, padId: 0, resetPositionsAt: 2 });
  const batch = objective.makeBatch(
    [
      [2, 5, 6, 3, 2, 7, 3],
      [2, 9, 3],
    ],
    true,
  );
  assert.deepEqual(batch.positionIds!.arraySync(), [
    [0, 1, 2, 3, 0, 1],
    [0, 1, 0, 0, 0, 0],
  ]);
  assert.deepEqual(batch.labels.arraySync(), [5, 6, 3, 2, 7, 3, 9, 3, -1, -1, -1, -1]);
  objective.disposeBatch(batch);
  model.dispose();
});
