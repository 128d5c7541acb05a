/**
 * Resumable pretraining checkpoints in `OUT/checkpoint/`: model weights (F32, Hugging Face layout),
 * AdamW moments, vocab.txt and `state.json` (step, data order, tokens seen, the config). The folder is
 * written under a temporary name and renamed into place, so a crash leaves the previous checkpoint whole.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadStateDict } from '../checkpoint/state-dict.js';
import { parseSafetensors, writeSafetensors } from '../checkpoint/safetensors.js';
import type { HostTensor } from '../checkpoint/host-tensor.js';
import { CheckpointError } from '../errors.js';
import type { BertModel } from '../model/bert.js';
import { savePretrained } from '../model/pretrained.js';
import type { AdamW } from '../optim/adamw.js';
import type { PretrainConfig } from './config.js';
import type { DataOrderState } from './data-order.js';
import { readVocab, writeVocab } from './vocab.js';

/** The non-tensor part of a checkpoint. */
export interface PretrainState {
  /** Optimisation steps completed. */
  step: number;
  tokensSeen: number;
  dataOrder: DataOrderState;
  /** Fingerprint of the packed training stream: a resume refuses different data. */
  dataFingerprint: string;
  /** Training seconds so far, summed over invocations. */
  elapsedSeconds: number;
  /** Recent training losses (the last logged window), for the log after a resume. */
  lastLoss: number | undefined;
  config: PretrainConfig;
}

/** The checkpoint folder of an output directory. */
export function checkpointDir(out: string): string {
  return join(out, 'checkpoint');
}

/**
 * Writes a checkpoint atomically (temp folder, then rename over the old one).
 * @example saveCheckpoint('runs/zh', model, opt, vocab, state);
 * // runs/zh/checkpoint/{model.safetensors, optimizer.safetensors, vocab.txt, state.json}
 */
export function saveCheckpoint(
  out: string,
  model: BertModel,
  opt: AdamW,
  vocab: readonly string[],
  state: PretrainState,
): void {
  const final = checkpointDir(out);
  const temp = join(out, `.checkpoint-${process.pid}.tmp`);
  const old = join(out, 'checkpoint.old');
  rmSync(temp, { recursive: true, force: true });
  savePretrained(model, temp, { dtype: 'F32' });
  const moments = new Map<string, HostTensor>();
  const { step, slots } = opt.state();
  for (const s of slots) {
    moments.set(`m.${s.index}`, { dtype: 'float32', shape: s.shape, data: s.m });
    moments.set(`v.${s.index}`, { dtype: 'float32', shape: s.shape, data: s.v });
  }
  writeSafetensors(join(temp, 'optimizer.safetensors'), moments, { metadata: { step: String(step) } });
  writeVocab(join(temp, 'vocab.txt'), vocab);
  writeFileSync(join(temp, 'state.json'), `${JSON.stringify(state, null, 1)}\n`);
  rmSync(old, { recursive: true, force: true });
  if (existsSync(final)) renameSync(final, old);
  renameSync(temp, final);
  rmSync(old, { recursive: true, force: true });
}

/**
 * The folder and `state.json` of the checkpoint in `out` (`checkpoint.old` when a crash hit between the two renames).
 * @example readCheckpointState('runs/zh').state.config.maxSteps // → 10000
 */
export function readCheckpointState(out: string): { dir: string; state: PretrainState } {
  const dir = [checkpointDir(out), join(out, 'checkpoint.old')].find((d) => existsSync(join(d, 'state.json')));
  if (!dir) throw new CheckpointError(`no checkpoint to resume in ${out} (expected ${checkpointDir(out)}/state.json)`);
  try {
    return { dir, state: JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as PretrainState };
  } catch (error) {
    throw new CheckpointError(`${dir}/state.json is unreadable: ${(error as Error).message}`);
  }
}

/** A checkpoint read back (host tensors; the trainer builds the model and optimizer from them). */
export interface LoadedCheckpoint {
  dir: string;
  state: PretrainState;
  vocab: string[];
  weights: Map<string, HostTensor>;
  optimizer: { step: number; slots: { index: number; m: Float32Array; v: Float32Array }[] };
}

/**
 * Reads `OUT/checkpoint` with its tensors.
 * @example const ckpt = loadCheckpoint('runs/zh'); ckpt.state.step // → 1200
 */
export function loadCheckpoint(out: string): LoadedCheckpoint {
  const { dir, state } = readCheckpointState(out);
  const optPath = join(dir, 'optimizer.safetensors');
  const opt = parseSafetensors(readFileSync(optPath), optPath);
  const slots = new Map<number, { index: number; m: Float32Array; v: Float32Array }>();
  for (const [key, t] of opt.tensors) {
    const match = /^([mv])\.(\d+)$/.exec(key);
    if (!match || t.dtype !== 'float32')
      throw new CheckpointError(`${dir}/optimizer.safetensors: unexpected tensor ${key} (${t.dtype})`);
    const index = Number(match[2]);
    const slot = slots.get(index) ?? { index, m: new Float32Array(0), v: new Float32Array(0) };
    slot[match[1] === 'm' ? 'm' : 'v'] = t.data;
    slots.set(index, slot);
  }
  return {
    dir,
    state,
    vocab: readVocab(join(dir, 'vocab.txt')),
    weights: loadStateDict(dir),
    optimizer: {
      step: Number(opt.metadata['step'] ?? state.step),
      slots: [...slots.values()].sort((a, b) => a.index - b.index),
    },
  };
}
