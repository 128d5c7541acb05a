import type { GenerationArgs, LogitsSource } from './base.js';
import { logSoftmax, maskedRow, topIndices } from './logits.js';

/** A partial hypothesis: its tokens, cumulative log-probability (with sibling penalties) and source row. */
export interface Beam {
  tokens: number[];
  logp: number;
  row: number;
}

/** One extension of a beam. */
export interface Candidate {
  beam: Beam;
  id: number;
  logp: number;
}

/**
 * The `k` best extensions over all of a prompt's beams, best first: each beam's own best k children,
 * the j-th (0-based) penalised by j·diversityRate (sibling ranking, Li et al. 2016), then merged.
 */
export function topCandidates(
  logits: Float32Array,
  vocab: number,
  beams: readonly Beam[],
  args: GenerationArgs,
  k: number,
): Candidate[] {
  const all: Candidate[] = [];
  for (const beam of beams) {
    const row = logSoftmax(maskedRow(logits, beam.row, vocab, args, beam.tokens));
    topIndices(row, k).forEach((id, rank) =>
      all.push({ beam, id, logp: beam.logp + row[id]! - rank * args.diversityRate }),
    );
  }
  // Stable sort: ties keep beam order, then the children's order.
  return all.sort((a, b) => b.logp - a.logp).slice(0, k);
}

/**
 * The step loop both beam searches share. Each step, every unfinished prompt's `2·beamSize` best extensions go
 * to `advance(p, candidates, length)`, which updates the search's own hypotheses and returns the beams to extend
 * (none: prompt `p` is done); those become the rows of the next `source.step` (each beam's `row` is renumbered).
 * Stops when no prompt has a beam left or at `maxOutLen`; returns the number of `step` calls.
 * @example
 * const steps = await runBeamSteps(source, prompts, args, (p, candidates, length) => keepBest(p, candidates, length));
 */
export async function runBeamSteps(
  source: LogitsSource,
  prompts: readonly (readonly number[])[],
  args: GenerationArgs,
  advance: (prompt: number, candidates: Candidate[], length: number) => Beam[],
): Promise<number> {
  let live: Beam[][] = prompts.map((_, p) => [{ tokens: [], logp: 0, row: p }]);
  let logits = await source.start(prompts);
  let steps = 0;
  for (let t = 0; t < args.maxOutLen; t++) {
    const parents: number[] = [];
    const tokens: number[] = [];
    const next: Beam[][] = prompts.map(() => []);
    prompts.forEach((_, p) => {
      if (live[p]!.length === 0) return;
      const keep = advance(p, topCandidates(logits, source.vocabSize, live[p]!, args, 2 * args.beamSize), t + 1);
      for (const b of keep) {
        parents.push(b.row);
        tokens.push(b.tokens[b.tokens.length - 1]!);
        b.row = parents.length - 1;
      }
      next[p] = keep;
    });
    if (parents.length === 0) break;
    logits = await source.step(parents, tokens);
    steps++;
    live = next;
  }
  return steps;
}
