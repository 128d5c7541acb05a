/**
 * What a pretraining run reports: flat MLflow params from nested config objects, and the
 * `training_state.json` written beside the final model (the same fields as the starter's, plus counts).
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../checkpoint/atomic.js';
import type { HeldoutMetrics } from './batch.js';
import type { PretrainConfig } from './config.js';
import type { PreparedData } from './prepare.js';

/**
 * Flattens nested values into `a.b` keys with string/number/boolean values (MLflow params).
 * @example flatParams({ lr: 5e-4, model: { layers: 4 }, corpus: [{ path: 'a.txt' }] })
 * // → { lr: 0.0005, 'model.layers': 4, corpus: '[{"path":"a.txt"}]' }
 */
export function flatParams(value: object, prefix = ''): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(value)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v === undefined || v === null) continue;
    if (typeof v === 'object' && !Array.isArray(v)) Object.assign(out, flatParams(v as object, key));
    else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[key] = v;
    else out[key] = JSON.stringify(v).slice(0, 500);
  }
  return out;
}

/** Inputs of {@link writeTrainingState}. */
export interface TrainingStateInput {
  step: number;
  tokensSeen: number;
  elapsed: number;
  heldout: HeldoutMetrics | undefined;
  initialHeldout: HeldoutMetrics | undefined;
  data: PreparedData;
  config: PretrainConfig;
}

/**
 * Writes `OUT/training_state.json` and returns its path.
 * @example writeTrainingState('runs/zh', input)
 * // → 'runs/zh/training_state.json' with { steps, tokens_seen, heldout_mlm_accuracy, … }
 */
export function writeTrainingState(out: string, s: TrainingStateInput): string {
  const c = s.config;
  const state = {
    steps: s.step,
    tokens_seen: s.tokensSeen,
    heldout_mlm_accuracy: s.heldout?.accuracy,
    heldout_mlm_accuracy_shuffled: s.heldout?.accuracyShuffled,
    heldout_loss: s.heldout?.loss,
    heldout_chunks: s.heldout?.chunks,
    heldout_mlm_accuracy_at_start: s.initialHeldout?.accuracy,
    minutes: Math.round((s.elapsed / 60) * 10) / 10,
    corpus_tokens: s.data.counts.trainTokens + s.data.counts.heldoutTokens,
    docs: s.data.counts.kept,
    vocab_size: s.data.vocab.length,
    data: s.data.counts,
    config:
      `L${c.model.layers} H${c.model.hidden} A${c.model.heads} I${c.model.ffn}${c.init ? ` from ${c.init}` : ''}, ` +
      `${c.vocab} vocab (${s.data.vocab.length}), ` +
      `seq ${c.maxSeqLen}, batch ${c.batchSize}, AdamW lr ${c.lr} warmup ${c.warmupSteps} ${c.schedule}, ` +
      `${c.wwm ? 'whole-word (jieba)' : 'char'} masking ${c.maskProbability * 100}% 80/10/10`,
    pretrain_config: c,
  };
  const path = join(out, 'training_state.json');
  writeFileAtomic(path, [new TextEncoder().encode(`${JSON.stringify(state, null, 1)}\n`)]);
  return path;
}
