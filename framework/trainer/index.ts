export { Trainer, type FitResult, type TrainerOptions } from './trainer.js';
export { evaluate, argmax, type Evaluation } from './evaluate.js';
export type { Objective } from './objective.js';
export { ProgressBar, formatDuration } from './progress.js';
export { SeededRandom, epochOrder } from '../random.js';
export {
  loadTrainerCheckpoint,
  saveTrainerCheckpoint,
  type TrainerCheckpoint,
  type TrainerState,
} from './checkpoint.js';
