import type { GenerationArgs, GenerationResult, GenerationRun, LogitsSource } from './base.js';
import { runBeamSteps, type Beam } from './beam-candidates.js';
import { lengthPenalty } from './logits.js';

interface Hypothesis {
  tokens: number[];
  score: number;
  finished: boolean;
}

/**
 * Beam search with `beamSize` live beams per prompt. Each step takes the 2·beam best extensions; one
 * ending in EOS (among the top `beamSize`) becomes a finished hypothesis scored log p / ((5 + len) / 6)^alpha,
 * the others refill the live beams. A prompt is done when it holds `beamSize` finished hypotheses and its
 * best live beam, scored at its current length, cannot beat the worst of them; at `maxOutLen` the live
 * beams are scored as unfinished hypotheses. Returns the best hypothesis per prompt.
 * @example
 * const args = resolveGenerationArgs({ strategy: 'beam_search', beamSize: 4, alpha: 0.6, eosTokenId: 3 });
 * const { results } = await beamSearch(source, [[2, 17]], args);
 */
export async function beamSearch(
  source: LogitsSource,
  prompts: readonly (readonly number[])[],
  args: GenerationArgs,
): Promise<GenerationRun> {
  const k = args.beamSize;
  const finished: Hypothesis[][] = prompts.map(() => []);
  const steps = await runBeamSteps(source, prompts, args, (p, candidates, length) => {
    const hyps = finished[p]!;
    const next: Beam[] = [];
    candidates.forEach((c, rank) => {
      if (c.id === args.eosTokenId) {
        if (rank < k)
          hyps.push({ tokens: c.beam.tokens, score: c.logp / lengthPenalty(length, args.alpha), finished: true });
      } else if (next.length < k) {
        next.push({ tokens: [...c.beam.tokens, c.id], logp: c.logp, row: c.beam.row });
      }
    });
    hyps.sort((a, b) => b.score - a.score);
    hyps.length = Math.min(hyps.length, k);
    const best = next[0];
    if (length === args.maxOutLen || best === undefined) {
      for (const b of next)
        hyps.push({ tokens: b.tokens, score: b.logp / lengthPenalty(length, args.alpha), finished: false });
      return [];
    }
    return hyps.length >= k && hyps[hyps.length - 1]!.score >= best.logp / lengthPenalty(length, args.alpha)
      ? []
      : next;
  });
  const results: GenerationResult[] = prompts.map((prompt, p) => {
    const best = [...finished[p]!].sort((a, b) => b.score - a.score)[0]!;
    return { prompt: [...prompt], tokens: best.tokens, finished: best.finished, score: best.score, args };
  });
  return { results, steps };
}
