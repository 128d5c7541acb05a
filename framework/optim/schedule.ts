import { ConfigError } from '../errors.js';

export const SCHEDULES = ['linear', 'cosine', 'constant'] as const;
export type ScheduleKind = (typeof SCHEDULES)[number];

export interface ScheduleOptions {
  kind: ScheduleKind;
  /** Steps of linear warm-up from 0 to the base learning rate. */
  warmupSteps: number;
  /** Total optimisation steps (decay reaches 0 here for linear/cosine). */
  totalSteps: number;
}

/**
 * Learning-rate multiplier for 0-based step `s`, as transformers' `get_linear_schedule_with_warmup` and
 * `get_cosine_schedule_with_warmup`: s/warmup during warm-up, then linear or half-cosine decay to 0.
 * @example
 * const lr = lrSchedule({ kind: 'linear', warmupSteps: 2, totalSteps: 10 });
 * [0, 1, 2, 6, 10].map(lr); // → [0, 0.5, 1, 0.5, 0]
 */
export function lrSchedule(options: ScheduleOptions): (step: number) => number {
  const { kind, warmupSteps, totalSteps } = options;
  if (!(SCHEDULES as readonly string[]).includes(kind))
    throw new ConfigError(`schedule '${kind}' unknown; expected one of ${SCHEDULES.join(', ')}`);
  if (!(warmupSteps >= 0) || !(totalSteps > 0))
    throw new ConfigError(`schedule needs warmupSteps ≥ 0 and totalSteps > 0, got ${warmupSteps} and ${totalSteps}`);
  return (step: number) => {
    if (step < warmupSteps) return step / Math.max(1, warmupSteps);
    if (kind === 'constant') return 1;
    const progress = (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
    if (kind === 'linear') return Math.max(0, 1 - progress);
    return Math.max(0, 0.5 * (1 + Math.cos(Math.PI * Math.min(1, progress))));
  };
}
