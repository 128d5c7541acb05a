import { createHash } from 'node:crypto';
import type { TrainerOptions } from './trainer.js';

/** The trainer options that change a run's trajectory (and so its resume identity). */
const TRAJECTORY_OPTIONS = [
  'epochs',
  'maxSteps',
  'batchSize',
  'gradientAccumulation',
  'evalEvery',
  'earlyStoppingPatience',
  'seed',
  'schedule',
  'warmupRatio',
  'warmupSteps',
  'weightDecay',
  'maxGradNorm',
  'adamEps',
] as const satisfies readonly (keyof TrainerOptions)[];

/**
 * What identifies a training run for resuming: every option that changes the trajectory (not where checkpoints go or
 * how progress shows), the learning rate of each parameter group, the data (`dataFingerprint`, or a hash of the
 * training and dev examples), and the caller's identity fields.
 */
export function runIdentity<E>(o: TrainerOptions<E>, lrs: number[], train: E[], dev: E[]): Record<string, unknown> {
  const data =
    o.dataFingerprint ??
    createHash('sha1')
      .update(JSON.stringify([train, dev]))
      .digest('hex')
      .slice(0, 16);
  const trainer = Object.fromEntries(TRAJECTORY_OPTIONS.map((k) => [k, o[k]]));
  // JSON round trip: undefined fields drop out, so a saved identity compares equal to a fresh one.
  return JSON.parse(JSON.stringify({ ...o.identity, ...trainer, lrs, data })) as Record<string, unknown>;
}

/** A short hash of an identity, stored in the checkpoint's state. */
export function identityFingerprint(identity: Record<string, unknown>): string {
  return createHash('sha1').update(JSON.stringify(identity)).digest('hex').slice(0, 16);
}

/** The fields whose values differ, as `name (saved → now)`; checkpoints from before identities say so. */
export function identityDiff(saved: Record<string, unknown> | undefined, now: Record<string, unknown>): string {
  if (!saved) return 'it predates recorded settings';
  const show = (v: unknown) => (v === undefined ? 'unset' : JSON.stringify(v).slice(0, 60));
  const keys = [...new Set([...Object.keys(saved), ...Object.keys(now)])].filter(
    (k) => JSON.stringify(saved[k]) !== JSON.stringify(now[k]),
  );
  return keys
    .map((k) => `${k === 'data' ? 'training or dev examples' : k} ${show(saved[k])} → ${show(now[k])}`)
    .join(', ');
}
