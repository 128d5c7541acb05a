import type { GenerationArgs, GenerationResult, GenerationRun, LogitsSource } from './base.js';
import { topCandidates, type Beam } from './beam-candidates.js';
import { lengthPenalty } from './logits.js';

interface Hypothesis { tokens: number[]; score: number; finished: boolean }

/**
 * Beam search with `beamSize` live beams per prompt. Each step takes the 2·beam best extensions; one
 * ending in EOS (among the top `beamSize`) becomes a finished hypothesis scored log p / ((5 + len) / 6)^alpha,
 * the others refill the live beams. A prompt is done when it holds `beamSize` finished hypotheses and its
 * best live beam, scored at its current length, cannot beat the worst of them; at `maxOutLen` the live
 * beams are scored as unfinished hypotheses. Returns the best hypothesis per prompt.
 * @example
 * const { results } = await beamSearch(source, [[2, 17]], resolveGenerationArgs({ strategy: 'beam_search', beamSize: 4, alpha: 0.6, eosTokenId: 3 }));
 */
export async function beamSearch(source: LogitsSource, prompts: readonly (readonly number[])[], args: GenerationArgs): Promise<GenerationRun> {
  const vocab = source.vocabSize;
  const k = args.beamSize;
  let live: Beam[][] = prompts.map((_, p) => [{ tokens: [], logp: 0, row: p }]);
  const finished: Hypothesis[][] = prompts.map(() => []);
  const done = prompts.map(() => false);
  let logits = await source.start(prompts);
  let steps = 0;
  for (let t = 0; t < args.maxOutLen; t++) {
    const length = t + 1;
    const parents: number[] = [];
    const tokens: number[] = [];
    const nextLive: Beam[][] = prompts.map(() => []);
    prompts.forEach((_, p) => {
      if (done[p]) return;
      const hyps = finished[p]!;
      topCandidates(logits, vocab, live[p]!, args, t, 2 * k).forEach((c, rank) => {
        if (c.id === args.eosTokenId) {
          if (rank < k) hyps.push({ tokens: c.beam.tokens, score: c.logp / lengthPenalty(length, args.alpha), finished: true });
        } else if (nextLive[p]!.length < k) {
          nextLive[p]!.push({ tokens: [...c.beam.tokens, c.id], logp: c.logp, row: c.beam.row });
        }
      });
      hyps.sort((a, b) => b.score - a.score);
      hyps.length = Math.min(hyps.length, k);
      const best = nextLive[p]![0];
      if (length === args.maxOutLen || best === undefined) {
        for (const b of nextLive[p]!) hyps.push({ tokens: b.tokens, score: b.logp / lengthPenalty(length, args.alpha), finished: false });
        done[p] = true;
      } else if (hyps.length >= k && hyps[hyps.length - 1]!.score >= best.logp / lengthPenalty(length, args.alpha)) {
        done[p] = true;
      }
      if (done[p]) return;
      for (const b of nextLive[p]!) {
        parents.push(b.row);
        tokens.push(b.tokens[b.tokens.length - 1]!);
        b.row = parents.length - 1;
      }
    });
    if (parents.length === 0) break;
    logits = await source.step(parents, tokens);
    steps++;
    live = nextLive;
  }
  const results: GenerationResult[] = prompts.map((prompt, p) => {
    const best = [...finished[p]!].sort((a, b) => b.score - a.score)[0]!;
    return { prompt: [...prompt], tokens: best.tokens, finished: best.finished, score: best.score, args };
  });
  return { results, steps };
}
