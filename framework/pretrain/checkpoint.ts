/**
 * Resumable pretraining checkpoints in `OUT/checkpoint/`: model weights (F32, Hugging Face layout, so a checkpoint is
 * also a model `init` can start from), AdamW moments, vocab.txt and `state.json` (the trainer's state, tokens seen,
 * the corpus fingerprint, the config). The folder is written under a temporary name and renamed into place, so a
 * crash leaves the previous checkpoint whole.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadStateDict, saveStateDict } from '../checkpoint/state-dict.js';
import { readSafetensors, writeSafetensors } from '../checkpoint/safetensors.js';
import { CheckpointError } from '../errors.js';
import { type BertConfig, bertConfigToJson } from '../model/config.js';
import type { CheckpointStore, TrainerCheckpoint, TrainerState } from '../trainer/checkpoint.js';
import type { PretrainConfig } from './config.js';
import { readVocab, writeVocab } from './vocab.js';

/** The layout version of `state.json`; 1 (no `format` field) was the loop before pretraining ran on the Trainer. */
const FORMAT = 2;

/** What pretraining keeps beside the trainer's state. */
export interface PretrainProgress {
  tokensSeen: number;
  /** Training seconds so far, summed over invocations. */
  elapsedSeconds: number;
  /** The last step's training loss, for the log after a resume. */
  lastLoss: number | undefined;
}

/** The non-tensor part of a checkpoint (`state.json`). */
export interface PretrainState extends PretrainProgress {
  format: typeof FORMAT;
  /** The trainer's state without its per-step history (the tracking run keeps that). */
  trainer: TrainerState;
  /** Fingerprint of the packed training stream: a resume refuses different data. */
  dataFingerprint: string;
  config: PretrainConfig;
}

/** The checkpoint folder of an output directory. */
export function checkpointDir(out: string): string {
  return join(out, 'checkpoint');
}

/**
 * The folder and `state.json` of the checkpoint in `out` (`checkpoint.old` when a crash hit between the two renames).
 * @example readCheckpointState('runs/zh').state.config.maxSteps // → 10000
 */
export function readCheckpointState(out: string): { dir: string; state: PretrainState } {
  const dir = [checkpointDir(out), join(out, 'checkpoint.old')].find((d) => existsSync(join(d, 'state.json')));
  if (!dir) throw new CheckpointError(`no checkpoint to resume in ${out} (expected ${checkpointDir(out)}/state.json)`);
  let state: PretrainState;
  try {
    state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as PretrainState;
  } catch (error) {
    throw new CheckpointError(`${dir}/state.json is unreadable: ${(error as Error).message}`);
  }
  if (state.format !== FORMAT) {
    throw new CheckpointError(
      `${dir} was written by the pretraining loop before it ran on the Trainer (another data order and seeds), so it ` +
        `cannot be resumed exactly; start a new run from its weights with init: '${dir}'`,
    );
  }
  return { dir, state };
}

/**
 * The {@link CheckpointStore} of a pretraining run in `out`. `progress()` supplies what pretraining adds to each
 * checkpoint; {@link restored} holds it after a `load()`.
 * @example
 * const store = new PretrainStore(config, modelConfig, vocab, fingerprint, () => progress);
 * new Trainer(objective, { checkpointStore: store, resume: true, … });
 */
export class PretrainStore implements CheckpointStore {
  /** What the loaded checkpoint's run had done, after {@link load}. */
  restored: PretrainProgress | undefined;
  readonly location: string;

  constructor(
    readonly config: PretrainConfig,
    readonly modelConfig: BertConfig,
    readonly vocab: readonly string[],
    readonly dataFingerprint: string,
    readonly progress: () => Omit<PretrainProgress, 'lastLoss'>,
  ) {
    this.location = checkpointDir(config.out);
  }

  save(ckpt: TrainerCheckpoint): void {
    const out = this.config.out;
    const final = checkpointDir(out);
    const temp = join(out, `.checkpoint-${process.pid}.tmp`);
    const old = join(out, 'checkpoint.old');
    rmSync(temp, { recursive: true, force: true });
    writeFileSync(join(mkdir(temp), 'config.json'), `${JSON.stringify(bertConfigToJson(this.modelConfig), null, 2)}\n`);
    saveStateDict(temp, ckpt.weights, { dtype: 'F32' });
    writeSafetensors(join(temp, 'optimizer.safetensors'), ckpt.optimizer);
    writeVocab(join(temp, 'vocab.txt'), this.vocab);
    const last = ckpt.state.history.at(-1);
    const state: PretrainState = {
      format: FORMAT,
      ...this.progress(),
      lastLoss: last?.loss,
      trainer: { ...ckpt.state, history: [] },
      dataFingerprint: this.dataFingerprint,
      config: this.config,
    };
    writeFileSync(join(temp, 'state.json'), `${JSON.stringify(state, null, 1)}\n`);
    rmSync(old, { recursive: true, force: true });
    if (existsSync(final)) renameSync(final, old);
    renameSync(temp, final);
    rmSync(old, { recursive: true, force: true });
  }

  /** The checkpoint in `out`, refused when it was written from other data or with another vocabulary. */
  load(): TrainerCheckpoint | undefined {
    const out = this.config.out;
    if (![checkpointDir(out), join(out, 'checkpoint.old')].some((d) => existsSync(join(d, 'state.json')))) return;
    const { dir, state } = readCheckpointState(out);
    if (state.dataFingerprint !== this.dataFingerprint) {
      throw new CheckpointError(
        `resume: the corpus gives different training data (${this.dataFingerprint}) than the checkpoint ` +
          `(${state.dataFingerprint}); same files and options are needed`,
      );
    }
    const vocab = readVocab(join(dir, 'vocab.txt'));
    if (vocab.length !== this.vocab.length || vocab.some((t, i) => t !== this.vocab[i]))
      throw new CheckpointError(`resume: the vocabulary of ${dir} differs from the run's`);
    this.restored = { tokensSeen: state.tokensSeen, elapsedSeconds: state.elapsedSeconds, lastLoss: state.lastLoss };
    return {
      state: state.trainer,
      weights: loadStateDict(dir),
      best: new Map(),
      optimizer: readSafetensors(join(dir, 'optimizer.safetensors')),
    };
  }
}

function mkdir(dir: string): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}
