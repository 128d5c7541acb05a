import { mixSeed, SeededRandom } from '../random.js';
import type { GenerationArgs, GenerationResult, GenerationRun, LogitsSource } from './base.js';
import { argmax, drawFrom, logSoftmax, maskedRow, samplingDistribution } from './logits.js';

/**
 * The random stream of one prompt: a function of the seed and the prompt's tokens only, so a result
 * regenerates alone or in any batch (identical prompts in one batch therefore draw identical samples).
 * @example promptRng(42, [2, 17, 9]).next(); // → the same number on every run
 */
export function promptRng(seed: number, prompt: readonly number[]): SeededRandom {
  return new SeededRandom(mixSeed(seed, prompt.length, ...prompt));
}

/**
 * Greedy decoding (`strategy: 'greedy'`: the argmax token each step) and top-k / top-p sampling with
 * temperature (`'sampling'`). Rows that emit EOS leave the batch.
 * @example
 * const args = resolveGenerationArgs({ strategy: 'sampling', topK: 10, seed: 1, eosTokenId: 3 });
 * const { results } = await sampleSearch(source, [[2, 17]], args);
 * results[0].tokens; // → e.g. [41, 8, 230]; the same on every run with seed 1
 */
export async function sampleSearch(
  source: LogitsSource,
  prompts: readonly (readonly number[])[],
  args: GenerationArgs,
): Promise<GenerationRun> {
  const vocab = source.vocabSize;
  const greedy = args.strategy === 'greedy';
  const rngs = prompts.map((p) => promptRng(args.seed, p));
  const results: GenerationResult[] = prompts.map((p) => ({
    prompt: [...p],
    tokens: [],
    finished: false,
    score: 0,
    args,
  }));
  let logits = await source.start(prompts);
  let active = prompts.map((_, i) => i); // prompt index of each source row
  let steps = 0;
  for (let t = 0; t < args.maxOutLen && active.length > 0; t++) {
    const parents: number[] = [];
    const tokens: number[] = [];
    const next: number[] = [];
    active.forEach((p, r) => {
      const result = results[p]!;
      const row = logSoftmax(maskedRow(logits, r, vocab, args, result.tokens));
      const id = greedy ? argmax(row) : drawFrom(samplingDistribution(row, args), rngs[p]!.next());
      result.score += row[id]!;
      if (id === args.eosTokenId) {
        result.finished = true;
        return;
      }
      result.tokens.push(id);
      if (t + 1 < args.maxOutLen) {
        parents.push(r);
        tokens.push(id);
        next.push(p);
      }
    });
    if (parents.length === 0) break;
    logits = await source.step(parents, tokens);
    steps++;
    active = next;
  }
  return { results, steps };
}
