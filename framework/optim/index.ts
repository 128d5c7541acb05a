export { AdamW, type AdamWOptions, type MomentSlot, type ParamGroup } from './adamw.js';
export { lrSchedule, SCHEDULES, type ScheduleKind, type ScheduleOptions } from './schedule.js';
export { GradientAccumulator } from './accumulate.js';
