import type { GenerationArgs, GenerationResult, GenerationRun, LogitsSource } from './base.js';
import { runBeamSteps, type Beam } from './beam-candidates.js';
import { lengthPenalty } from './logits.js';

interface Finished {
  tokens: number[];
  score: number;
}

/**
 * Tensor2Tensor's beam search (`beam_search.py`): per prompt an *alive* set and a *finished* set of
 * `beamSize` each. Every step takes the 2·beam best extensions of the alive beams; those not ending in EOS
 * refill alive (top `beamSize`), those ending in EOS join finished, scored log p / ((5 + len) / 6)^alpha,
 * which keeps its top `beamSize`. Early finish: a prompt stops once it has a finished hypothesis and the
 * lowest finished score beats the best alive beam's log-probability divided by the penalty at `maxOutLen`
 * (no alive beam can still overtake it: log-probabilities only fall). Returns the best finished
 * hypothesis, or the best alive one when none finished.
 * @example
 * const args = resolveGenerationArgs({ strategy: 't2t_beam_search', beamSize: 4, alpha: 0.6, eosTokenId: 3 });
 * const { results, steps } = await t2tBeamSearch(source, [[2, 17]], args);
 */
export async function t2tBeamSearch(
  source: LogitsSource,
  prompts: readonly (readonly number[])[],
  args: GenerationArgs,
): Promise<GenerationRun> {
  const k = args.beamSize;
  const maxPenalty = lengthPenalty(args.maxOutLen, args.alpha);
  const alive: Beam[][] = prompts.map((_, p) => [{ tokens: [], logp: 0, row: p }]);
  const finished: Finished[][] = prompts.map(() => []);
  const steps = await runBeamSteps(source, prompts, args, (p, candidates, length) => {
    const fin = finished[p]!;
    const next: Beam[] = [];
    for (const c of candidates) {
      if (c.id === args.eosTokenId)
        fin.push({ tokens: c.beam.tokens, score: c.logp / lengthPenalty(length, args.alpha) });
      else if (next.length < k) next.push({ tokens: [...c.beam.tokens, c.id], logp: c.logp, row: c.beam.row });
    }
    fin.sort((a, b) => b.score - a.score);
    fin.length = Math.min(fin.length, k);
    const bestAlive = next[0];
    if (bestAlive === undefined) return []; // nothing left to extend (every other token banned)
    alive[p] = next;
    const boundMet = fin.length > 0 && fin[fin.length - 1]!.score > bestAlive.logp / maxPenalty;
    return length === args.maxOutLen || boundMet ? [] : next;
  });
  const results: GenerationResult[] = prompts.map((prompt, p) => {
    const best = finished[p]![0];
    if (best) return { prompt: [...prompt], tokens: best.tokens, finished: true, score: best.score, args };
    const a = alive[p]![0]!;
    return {
      prompt: [...prompt],
      tokens: a.tokens,
      finished: false,
      score: a.logp / lengthPenalty(a.tokens.length, args.alpha),
      args,
    };
  });
  return { results, steps };
}
