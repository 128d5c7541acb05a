import { ShapeError } from '../errors.js';
import { resolveGenerationArgs, type GenerationOptions } from './args.js';
import type { GenerationArgs, GenerationRun, LogitsSource, Strategy } from './base.js';
import { beamSearch } from './beam-search.js';
import { sampleSearch } from './sampling.js';
import { t2tBeamSearch } from './t2t-beam-search.js';

const RUNNERS: Readonly<
  Record<
    Strategy,
    (source: LogitsSource, prompts: readonly (readonly number[])[], args: GenerationArgs) => Promise<GenerationRun>
  >
> = {
  greedy: sampleSearch,
  sampling: sampleSearch,
  beam_search: beamSearch,
  t2t_beam_search: t2tBeamSearch,
};

/**
 * Generates a continuation of each prompt with the strategy `options.strategy` (one implementation per
 * strategy, over any {@link LogitsSource}). Each result carries the resolved arguments; passing them back
 * reproduces the result exactly.
 * @example
 * const run = await generate(source, [[2, 101, 57]], { strategy: 'sampling', topP: 0.9, eosTokenId: 3 });
 * const again = await generate(source, [[2, 101, 57]], run.results[0].args);
 * again.results[0].tokens; // → the same tokens as run.results[0].tokens
 */
export async function generate(
  source: LogitsSource,
  prompts: readonly (readonly number[])[],
  options: GenerationOptions | GenerationArgs,
): Promise<GenerationRun> {
  const args = resolveGenerationArgs(options);
  prompts.forEach((p, i) => {
    if (p.length === 0) throw new ShapeError(`prompt ${i} is empty; a causal LM needs at least one token (e.g. BOS)`);
    p.forEach((id, j) => {
      if (!Number.isInteger(id) || id < 0 || id >= source.vocabSize)
        throw new ShapeError(`prompt ${i} token ${j} is ${id}, outside the vocabulary [0, ${source.vocabSize})`);
    });
  });
  if (prompts.length === 0) return { results: [], steps: 0 };
  try {
    return await RUNNERS[args.strategy](source, prompts, args);
  } finally {
    source.dispose();
  }
}
