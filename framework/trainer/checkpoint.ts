import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HostTensor } from '../checkpoint/host-tensor.js';
import { readSafetensors, writeSafetensors } from '../checkpoint/safetensors.js';
import { CheckpointError } from '../errors.js';

/** Everything a resumed run needs besides tensors. */
export interface TrainerState {
  step: number;
  epoch: number;
  /** Index into the current epoch's example order of the next batch. */
  offset: number;
  bestMetric: number;
  bestStep: number;
  evalsWithoutImprovement: number;
  history: { step: number; loss?: number; lr?: number; dev?: number }[];
  optimizerStep: number;
  /** Identifies the run configuration; a resume with a different one is refused. */
  fingerprint: string;
  /** The settings the fingerprint hashes, kept so a refused resume can name what differs. */
  identity?: Record<string, unknown>;
}

/** The files of one checkpoint: state, current weights, best-on-dev weights, optimiser moments. */
export interface TrainerCheckpoint {
  state: TrainerState;
  weights: Map<string, HostTensor>;
  best: Map<string, HostTensor>;
  optimizer: Map<string, HostTensor>;
}

/**
 * Writes a checkpoint directory atomically: everything goes to `dir.new`, then `dir` is swapped out
 * (`dir.old`) and `dir.new` renamed in. A crash at any point leaves a complete checkpoint in `dir` or `dir.old`.
 */
export function saveTrainerCheckpoint(dir: string, ckpt: TrainerCheckpoint): void {
  const fresh = `${dir}.new`;
  const old = `${dir}.old`;
  rmSync(fresh, { recursive: true, force: true });
  mkdirSync(fresh, { recursive: true });
  writeSafetensors(join(fresh, 'weights.safetensors'), ckpt.weights);
  writeSafetensors(join(fresh, 'best.safetensors'), ckpt.best);
  writeSafetensors(join(fresh, 'optimizer.safetensors'), ckpt.optimizer);
  writeFileSync(join(fresh, 'state.json'), `${JSON.stringify(ckpt.state, null, 1)}\n`);
  rmSync(old, { recursive: true, force: true });
  if (existsSync(dir)) renameSync(dir, old);
  renameSync(fresh, dir);
  rmSync(old, { recursive: true, force: true });
}

/** Reads the newest complete checkpoint at `dir` (or its `.old` twin after a crash mid-swap); undefined if none. */
export function loadTrainerCheckpoint(dir: string): TrainerCheckpoint | undefined {
  const source = existsSync(join(dir, 'state.json'))
    ? dir
    : existsSync(join(`${dir}.old`, 'state.json'))
      ? `${dir}.old`
      : undefined;
  if (!source) return undefined;
  let state: TrainerState;
  try {
    state = JSON.parse(readFileSync(join(source, 'state.json'), 'utf8')) as TrainerState;
  } catch (error) {
    throw new CheckpointError(`${join(source, 'state.json')}: unreadable trainer state (${(error as Error).message})`);
  }
  return {
    state,
    weights: readSafetensors(join(source, 'weights.safetensors')),
    best: readSafetensors(join(source, 'best.safetensors')),
    optimizer: readSafetensors(join(source, 'optimizer.safetensors')),
  };
}

/**
 * Where a run's checkpoints live and in what layout. The trainer's own layout is {@link directoryStore}; pretraining
 * keeps its Hugging Face-layout folder with the vocabulary and corpus state beside the weights.
 */
export interface CheckpointStore {
  /** Where the checkpoints are (named in errors). */
  readonly location: string;
  /** Writes `ckpt` atomically (a crash leaves the previous checkpoint whole). */
  save(ckpt: TrainerCheckpoint): void;
  /** The newest complete checkpoint, or undefined when there is none. */
  load(): TrainerCheckpoint | undefined;
}

/** The trainer's checkpoint layout in `dir` (`saveTrainerCheckpoint` / `loadTrainerCheckpoint`). */
export function directoryStore(dir: string): CheckpointStore {
  return { location: dir, save: (ckpt) => saveTrainerCheckpoint(dir, ckpt), load: () => loadTrainerCheckpoint(dir) };
}
