import type { GenerationArgs, GenerationResult, GenerationRun, LogitsSource } from './base.js';
import { topCandidates, type Beam } from './beam-candidates.js';
import { lengthPenalty } from './logits.js';

interface Finished { tokens: number[]; score: number }

/**
 * Tensor2Tensor's beam search (`beam_search.py`): per prompt an *alive* set and a *finished* set of
 * `beamSize` each. Every step takes the 2·beam best extensions of the alive beams; those not ending in EOS
 * refill alive (top `beamSize`), those ending in EOS join finished, scored log p / ((5 + len) / 6)^alpha,
 * which keeps its top `beamSize`. Early finish: a prompt stops once it has a finished hypothesis and the
 * lowest finished score beats the best alive beam's log-probability divided by the penalty at `maxOutLen`
 * (no alive beam can still overtake it: log-probabilities only fall). Returns the best finished
 * hypothesis, or the best alive one when none finished.
 * @example
 * const { results, steps } = await t2tBeamSearch(source, [[2, 17]], resolveGenerationArgs({ strategy: 't2t_beam_search', beamSize: 4, alpha: 0.6, eosTokenId: 3 }));
 */
export async function t2tBeamSearch(source: LogitsSource, prompts: readonly (readonly number[])[], args: GenerationArgs): Promise<GenerationRun> {
  const vocab = source.vocabSize;
  const k = args.beamSize;
  const maxPenalty = lengthPenalty(args.maxOutLen, args.alpha);
  const alive: Beam[][] = prompts.map((_, p) => [{ tokens: [], logp: 0, row: p }]);
  const finished: Finished[][] = prompts.map(() => []);
  const done = prompts.map(() => false);
  let logits = await source.start(prompts);
  let steps = 0;
  for (let t = 0; t < args.maxOutLen; t++) {
    const length = t + 1;
    const parents: number[] = [];
    const tokens: number[] = [];
    const nextAlive: Beam[][] = prompts.map(() => []);
    prompts.forEach((_, p) => {
      if (done[p]) return;
      const fin = finished[p]!;
      for (const c of topCandidates(logits, vocab, alive[p]!, args, t, 2 * k)) {
        if (c.id === args.eosTokenId) fin.push({ tokens: c.beam.tokens, score: c.logp / lengthPenalty(length, args.alpha) });
        else if (nextAlive[p]!.length < k) nextAlive[p]!.push({ tokens: [...c.beam.tokens, c.id], logp: c.logp, row: c.beam.row });
      }
      fin.sort((a, b) => b.score - a.score);
      fin.length = Math.min(fin.length, k);
      const bestAlive = nextAlive[p]![0];
      const boundMet = fin.length > 0 && (bestAlive === undefined || fin[fin.length - 1]!.score > bestAlive.logp / maxPenalty);
      if (bestAlive === undefined) { done[p] = true; return; } // nothing left to extend (every other token banned)
      if (length === args.maxOutLen || boundMet) { done[p] = true; alive[p] = nextAlive[p]!; return; }
      for (const b of nextAlive[p]!) {
        parents.push(b.row);
        tokens.push(b.tokens[b.tokens.length - 1]!);
        b.row = parents.length - 1;
      }
      alive[p] = nextAlive[p]!;
    });
    if (parents.length === 0) break;
    logits = await source.step(parents, tokens);
    steps++;
  }
  const results: GenerationResult[] = prompts.map((prompt, p) => {
    const best = finished[p]![0];
    if (best) return { prompt: [...prompt], tokens: best.tokens, finished: true, score: best.score, args };
    const a = alive[p]![0]!;
    return { prompt: [...prompt], tokens: a.tokens, finished: false, score: a.logp / lengthPenalty(a.tokens.length, args.alpha), args };
  });
  return { results, steps };
}
