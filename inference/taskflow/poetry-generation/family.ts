/** The `poetry_generation` family as data: its task (three decoding modes, one GPT) and its recipe. */
import { taskflowFamily, taskflowRecipe, taskflowTask } from '../family.js';
import { pct } from '../train-settings.js';
import type { trainPoetryGpt } from './train.js';
import { POETRY_SETTINGS, type PoetryTrainOptions } from './train-options.js';

export const POETRY_GENERATION_TASK = taskflowTask({
  kind: 'poetry_generation',
  summary: 'the next line of a classical Chinese poem (a character-level GPT; sampling, beam search or greedy)',
  modes: { sampling: 'poetry-gpt-zh', beam_search: 'poetry-gpt-zh', greedy: 'poetry-gpt-zh' },
  defaultMode: 'sampling',
  load: async () => (await import('./task.js')).PoetryGenerationTask,
});

/** What the recipe returns. */
type PoetryTrainResult = Awaited<ReturnType<typeof trainPoetryGpt>>;

/**
 * The recipe's result as one line: held-out loss and, once evaluated, each decoding mode's repetition.
 * @example poetryReport(r); // 'poetry_generation → runs/poetry: 4000 steps, 3.10 epochs, held-out loss 3.512 (…)'
 */
export function poetryReport(r: PoetryTrainResult): string {
  const t = r.report;
  const modes = r.evaluation
    ? `; ${r.ship}: ${Object.entries(r.evaluation.modes)
        .map(([m, e]) => `${m}: distinct ${pct(e.distinctRate * 100)}%, triple repeats ${e.tripleRepeatsHead}`)
        .join(', ')}`
    : '';
  return (
    `poetry_generation → ${r.out}: ${t.steps} steps, ${t.epochs.toFixed(2)} epochs, held-out loss ` +
    `${t.heldoutLoss.toFixed(3)} (perplexity ${t.heldoutPerplexity.toFixed(1)})${modes}`
  );
}

/** `inference/taskflow/poetry-generation/`. */
export const POETRY_GENERATION_FAMILY = taskflowFamily({
  name: 'poetry-generation',
  tasks: [POETRY_GENERATION_TASK],
  recipes: [
    taskflowRecipe({
      kind: 'poetry_generation',
      summary: 'character-level GPT on Tang quatrains and regulated verse',
      settings: POETRY_SETTINGS,
      train: async (options) => (await import('./train.js')).trainPoetryGpt(options as Partial<PoetryTrainOptions>),
      report: poetryReport,
    }),
  ],
});
