import type { GenerationArgs } from './base.js';
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
export function topCandidates(logits: Float32Array, vocab: number, beams: readonly Beam[], args: GenerationArgs, generated: number, k: number): Candidate[] {
  const all: Candidate[] = [];
  for (const beam of beams) {
    const row = logSoftmax(maskedRow(logits, beam.row, vocab, args, generated));
    topIndices(row, k).forEach((id, rank) => all.push({ beam, id, logp: beam.logp + row[id]! - rank * args.diversityRate }));
  }
  // Stable sort: ties keep beam order, then the children's order.
  return all.sort((a, b) => b.logp - a.logp).slice(0, k);
}
