import assert from 'node:assert/strict';
import { test } from 'vitest';
import { ConfigError } from '../errors.js';
import { mixSeed } from '../random.js';
import type { LogitsSource } from './base.js';
import { topCandidates } from './beam-candidates.js';
import { generate } from './generate.js';
import { resolveGenerationArgs } from './args.js';
import { lengthPenalty } from './logits.js';

const EOS = 1;

/** A hand-set "model": next-token probabilities as a function of the sequence so far. */
class TableSource implements LogitsSource {
  private rows: number[][] = [];
  calls = 0;
  constructor(
    readonly vocabSize: number,
    private readonly probs: (seq: readonly number[]) => number[],
  ) {}
  private logits(): Float32Array {
    const out = new Float32Array(this.rows.length * this.vocabSize);
    this.rows.forEach((r, i) =>
      this.probs(r).forEach((p, v) => {
        out[i * this.vocabSize + v] = Math.log(p);
      }),
    );
    return out;
  }
  async start(prompts: readonly (readonly number[])[]): Promise<Float32Array> {
    this.rows = prompts.map((p) => [...p]);
    return this.logits();
  }
  async step(parents: readonly number[], tokens: readonly number[]): Promise<Float32Array> {
    this.calls++;
    this.rows = parents.map((p, i) => [...this.rows[p]!, tokens[i]!]);
    return this.logits();
  }
  dispose(): void {
    this.rows = [];
  }
}

/** A pseudo-random distribution over `vocab` tokens for every history (a fixed function of it). */
function randomTable(vocab: number, salt: number): (seq: readonly number[]) => number[] {
  return (seq) => {
    const raw = Array.from({ length: vocab }, (_, v) => 0.05 + (mixSeed(salt, v, ...seq) % 1000) / 1000);
    raw[0] = 1e-9; // token 0 stands for padding: never likely
    const total = raw.reduce((a, b) => a + b, 0);
    return raw.map((x) => x / total);
  };
}

test('greedy follows the argmax path and stops at EOS', async () => {
  const table = (seq: readonly number[]) => {
    const last = seq[seq.length - 1];
    if (last === 0) return [0.01, 0.09, 0.6, 0.2, 0.1];
    if (last === 2) return [0.01, 0.19, 0.1, 0.5, 0.2];
    return [0.01, 0.7, 0.1, 0.1, 0.09];
  };
  const { results } = await generate(new TableSource(5, table), [[0]], { strategy: 'greedy', eosTokenId: EOS });
  assert.deepEqual(results[0]!.tokens, [2, 3]);
  assert.equal(results[0]!.finished, true);
  assert.ok(Math.abs(results[0]!.score - Math.log(0.6 * 0.5 * 0.7)) < 1e-6, `score ${results[0]!.score}`);
});

test('beam search with one beam is greedy (random tables, several prompts)', async () => {
  for (let salt = 0; salt < 5; salt++) {
    const table = randomTable(6, salt);
    const prompts = [[0], [0, 4], [0, 2, 3]];
    const greedy = await generate(new TableSource(6, table), prompts, {
      strategy: 'greedy',
      maxOutLen: 12,
      eosTokenId: EOS,
    });
    const beam = await generate(new TableSource(6, table), prompts, {
      strategy: 'beam_search',
      beamSize: 1,
      maxOutLen: 12,
      eosTokenId: EOS,
    });
    assert.deepEqual(
      beam.results.map((r) => r.tokens),
      greedy.results.map((r) => r.tokens),
    );
    beam.results.forEach((r, i) => assert.ok(Math.abs(r.score - greedy.results[i]!.score) < 1e-9, `prompt ${i}`));
  }
});

// Greedy takes 2 (0.6) then must stop (best 0.35 → 0.21); the sequence 3 EOS has 0.4 · 0.9 = 0.36.
const trap = (seq: readonly number[]) => {
  const last = seq[seq.length - 1];
  if (last === 0) return [1e-9, 1e-9, 0.6, 0.4, 1e-9, 1e-9];
  if (last === 2) return [1e-9, 0.35, 1e-9, 1e-9, 0.33, 0.32];
  if (last === 3) return [1e-9, 0.9, 1e-9, 1e-9, 0.05, 0.05];
  return [1e-9, 0.2, 0.2, 0.2, 0.2, 0.2];
};

test('beam search finds a sequence greedy misses; so does T2T beam search', async () => {
  const greedy = await generate(new TableSource(6, trap), [[0]], { strategy: 'greedy', eosTokenId: EOS });
  assert.deepEqual(greedy.results[0]!.tokens, [2]);
  for (const strategy of ['beam_search', 't2t_beam_search'] as const) {
    const beam = await generate(new TableSource(6, trap), [[0]], { strategy, beamSize: 2, eosTokenId: EOS });
    assert.deepEqual(beam.results[0]!.tokens, [3], strategy);
    assert.ok(Math.abs(beam.results[0]!.score - Math.log(0.36)) < 1e-6, strategy);
  }
});

test('top-k sampling with k = 1 is greedy, whatever the seed and temperature', async () => {
  const table = randomTable(7, 11);
  const greedy = await generate(new TableSource(7, table), [[0], [0, 5]], {
    strategy: 'greedy',
    maxOutLen: 10,
    eosTokenId: EOS,
  });
  for (const seed of [1, 2, 3]) {
    const sampled = await generate(new TableSource(7, table), [[0], [0, 5]], {
      strategy: 'sampling',
      topK: 1,
      temperature: 1.7,
      seed,
      maxOutLen: 10,
      eosTokenId: EOS,
    });
    assert.deepEqual(
      sampled.results.map((r) => r.tokens),
      greedy.results.map((r) => r.tokens),
    );
  }
});

test('top-p sampling never leaves the nucleus', async () => {
  // Probabilities 0.5, 0.3, 0.12, 0.05, 0.03: the nucleus for p = 0.7 is {2, 3} (0.5 + 0.3 ≥ 0.7).
  const table = () => [1e-12, 0.03, 0.5, 0.3, 0.12, 0.05];
  const seen = new Map<number, number>();
  for (let seed = 0; seed < 400; seed++) {
    const { results } = await generate(new TableSource(6, table), [[0]], {
      strategy: 'sampling',
      topP: 0.7,
      seed,
      maxOutLen: 1,
      eosTokenId: EOS,
    });
    const t = results[0]!.tokens[0]!;
    seen.set(t, (seen.get(t) ?? 0) + 1);
  }
  assert.deepEqual([...seen.keys()].sort(), [2, 3]);
  // Renormalised 0.625 / 0.375: about 250 / 150 of 400.
  assert.ok(Math.abs(seen.get(2)! - 250) < 50, `token 2 drawn ${seen.get(2)} times`);
});

test('T2T beam search: exact on a small tree, and finishes early once no alive beam can win', async () => {
  // Exhaustive optimum over every sequence of ≤ 4 tokens (3 non-EOS tokens) with the length penalty.
  const vocab = 5;
  const table = randomTable(vocab, 5);
  const maxOutLen = 4;
  for (const alpha of [0, 0.8]) {
    let best = -Infinity;
    let bestSeq: number[] = [];
    const walk = (seq: number[], logp: number) => {
      const probs = table([0, ...seq]);
      const ended = logp + Math.log(probs[EOS]!);
      const score = ended / lengthPenalty(seq.length + 1, alpha);
      if (score > best) {
        best = score;
        bestSeq = seq;
      }
      if (seq.length + 1 < maxOutLen) for (const v of [2, 3, 4]) walk([...seq, v], logp + Math.log(probs[v]!));
    };
    walk([], 0);
    const run = await generate(new TableSource(vocab, table), [[0]], {
      strategy: 't2t_beam_search',
      beamSize: 32,
      alpha,
      maxOutLen,
      bannedTokenIds: [0],
      eosTokenId: EOS,
    });
    assert.deepEqual(run.results[0]!.tokens, bestSeq, `alpha ${alpha}`);
    assert.ok(Math.abs(run.results[0]!.score - best) < 1e-6, `score ${run.results[0]!.score} vs ${best}`);
  }
  // EOS is 0.9 likely at once: the finished [EOS] beats anything alive → no decoding step at all.
  const eager = new TableSource(5, () => [1e-9, 0.9, 0.04, 0.03, 0.03]);
  const run = await generate(eager, [[0]], {
    strategy: 't2t_beam_search',
    beamSize: 2,
    maxOutLen: 50,
    eosTokenId: EOS,
  });
  assert.equal(run.steps, 0);
  assert.equal(eager.calls, 0);
  assert.deepEqual(run.results[0]!.tokens, []);
  assert.equal(run.results[0]!.finished, true);
  // With a length bonus (alpha = 2) the bound uses the penalty at maxOutLen, so the search goes on.
  const patient = new TableSource(5, () => [1e-9, 0.5, 0.2, 0.15, 0.15]);
  const longer = await generate(patient, [[0]], {
    strategy: 't2t_beam_search',
    beamSize: 2,
    alpha: 2,
    maxOutLen: 6,
    eosTokenId: EOS,
  });
  assert.ok(longer.steps > 0, `steps ${longer.steps}`);
});

test('minOutLen, maxOutLen and banned tokens are honoured by every strategy', async () => {
  const table = () => [0.3, 0.5, 0.1, 0.1];
  for (const strategy of ['greedy', 'sampling', 'beam_search', 't2t_beam_search'] as const) {
    const { results } = await generate(new TableSource(4, table), [[2]], {
      strategy,
      minOutLen: 3,
      maxOutLen: 5,
      bannedTokenIds: [0],
      beamSize: 2,
      seed: 1,
      eosTokenId: EOS,
    });
    const r = results[0]!;
    assert.ok(r.tokens.length >= 3 && r.tokens.length <= 5, `${strategy}: ${r.tokens}`);
    assert.ok(!r.tokens.includes(0) && !r.tokens.includes(EOS), strategy);
    const capped = await generate(new TableSource(4, () => [0, 0, 0.5, 0.5]), [[2]], {
      strategy,
      maxOutLen: 3,
      beamSize: 2,
      seed: 1,
      eosTokenId: EOS,
    });
    assert.equal(capped.results[0]!.tokens.length, 3, strategy);
    assert.equal(capped.results[0]!.finished, false, strategy);
  }
});

test('diversityRate penalises siblings: the best children of different beams win', () => {
  const args = resolveGenerationArgs({ strategy: 'beam_search', beamSize: 2, diversityRate: 0, eosTokenId: EOS });
  const logits = Float32Array.from([
    -30,
    -30,
    Math.log(0.5),
    Math.log(0.4),
    Math.log(0.1),
    -30,
    -30,
    Math.log(0.5),
    Math.log(0.4),
    Math.log(0.1),
  ]);
  const beams = [
    { tokens: [7], logp: 0, row: 0 },
    { tokens: [8], logp: -0.5, row: 1 },
  ];
  const plain = topCandidates(logits, 5, beams, args, 2);
  assert.deepEqual(
    plain.map((c) => [c.beam.row, c.id]),
    [
      [0, 2],
      [0, 3],
    ],
  );
  const diverse = topCandidates(logits, 5, beams, { ...args, diversityRate: 1 }, 2);
  assert.deepEqual(
    diverse.map((c) => [c.beam.row, c.id]),
    [
      [0, 2],
      [1, 2],
    ],
  );
});

test('every result carries its arguments; generating again with them reproduces it (seed drawn or given)', async () => {
  const table = randomTable(8, 3);
  const prompts = [[0], [0, 3], [0, 6, 2]];
  for (const options of [
    { strategy: 'sampling' as const, topK: 5, topP: 0.9, temperature: 1.3 },
    { strategy: 'sampling' as const, seed: 99 },
    { strategy: 't2t_beam_search' as const, diversityRate: 0.3, alpha: 0.6 },
  ]) {
    const first = await generate(new TableSource(8, table), prompts, { ...options, maxOutLen: 20, eosTokenId: EOS });
    for (const [i, r] of first.results.entries()) {
      assert.equal(typeof r.args.seed, 'number');
      assert.deepEqual(JSON.parse(JSON.stringify(r.args)), r.args);
      const again = await generate(new TableSource(8, table), [r.prompt], r.args); // alone, not in the batch
      assert.deepEqual(again.results[0]!.tokens, r.tokens, `prompt ${i}`);
      assert.equal(again.results[0]!.score, r.score);
    }
  }
  const a = await generate(new TableSource(8, table), prompts, {
    strategy: 'sampling',
    seed: 1,
    maxOutLen: 20,
    eosTokenId: EOS,
  });
  const b = await generate(new TableSource(8, table), prompts, {
    strategy: 'sampling',
    seed: 2,
    maxOutLen: 20,
    eosTokenId: EOS,
  });
  assert.notDeepEqual(
    a.results.map((r) => r.tokens),
    b.results.map((r) => r.tokens),
  );
});

test('bad arguments name the field', async () => {
  assert.throws(
    () => resolveGenerationArgs({ topP: 0, eosTokenId: 1 }),
    (e: Error) => e instanceof ConfigError && /topP must be in \(0, 1\], got 0/.test(e.message),
  );
  assert.throws(
    () => resolveGenerationArgs({ strategy: 'nucleus' as 'greedy', eosTokenId: 1 }),
    /strategy must be one of greedy, sampling, beam_search, t2t_beam_search/,
  );
  assert.throws(
    () => resolveGenerationArgs({ minOutLen: 9, maxOutLen: 4, eosTokenId: 1 }),
    /minOutLen must be ≤ maxOutLen \(4\)/,
  );
  assert.throws(() => resolveGenerationArgs({ beamSize: 0, eosTokenId: 1 }), /beamSize must be an integer ≥ 1/);
  await assert.rejects(
    generate(new TableSource(3, () => [0.3, 0.3, 0.4]), [[5]], { eosTokenId: 1 }),
    /prompt 0 token 0 is 5, outside the vocabulary \[0, 3\)/,
  );
});

test('a prompt whose every continuation is banned ends at once, empty, in every strategy', async () => {
  for (const strategy of ['greedy', 'sampling', 'beam_search', 't2t_beam_search'] as const) {
    const { results } = await generate(new TableSource(3, () => [0.5, 0.2, 0.3]), [[0]], {
      strategy,
      bannedTokenIds: [0, 2],
      minOutLen: 0,
      seed: 1,
      eosTokenId: EOS,
    });
    assert.deepEqual(results[0]!.tokens, [], strategy);
    await assert.rejects(
      generate(new TableSource(3, () => [0.5, 0.2, 0.3]), [[0]], {
        strategy,
        bannedTokenIds: [0, 2],
        minOutLen: 2,
        seed: 1,
        eosTokenId: EOS,
      }),
      (e: Error) =>
        e instanceof ConfigError &&
        /no token may follow at output position 0: every token is banned and EOS is held back by minOutLen 2/.test(
          e.message,
        ),
    );
  }
});

test('repetition penalty: logits of tokens already generated are divided (> 0) or multiplied (< 0)', async () => {
  const table = () => [1e-9, 0.05, 0.6, 0.35];
  const run = (strategy: 'greedy' | 'beam_search', repetitionPenalty: number) =>
    generate(new TableSource(4, table), [[0]], {
      strategy,
      beamSize: 1,
      maxOutLen: 4,
      repetitionPenalty,
      eosTokenId: EOS,
    });
  assert.deepEqual((await run('greedy', 1)).results[0]!.tokens, [2, 2, 2, 2]);
  // log 0.6 · 3 = −1.53 falls below log 0.35 = −1.05 once 2 was generated; then both are seen and 2 leads again.
  assert.deepEqual((await run('greedy', 3)).results[0]!.tokens, [2, 3, 2, 2]);
  assert.deepEqual((await run('beam_search', 3)).results[0]!.tokens, [2, 3, 2, 2]);
  assert.throws(() => resolveGenerationArgs({ repetitionPenalty: 0.5, eosTokenId: EOS }), ConfigError);
});
