/**
 * The `sentiment_analysis` family as data: its task and its recipe, which trains a registered method of
 * `experiments/` that `fewprompt taskflow-train` supplies (`RecipeSupplies.sentimentMethod`).
 */
import { taskflowFamily, taskflowRecipe, taskflowTask } from '../family.js';
import { pct } from '../train-settings.js';
import type { SentimentTrainResult } from './train.js';
import { SENTIMENT_SETTINGS, type SentimentTrainOptions } from './train-options.js';

export const SENTIMENT_ANALYSIS_TASK = taskflowTask({
  kind: 'sentiment_analysis',
  summary: "a review's polarity, { text, label, score } (PET on review sets, an INT8 bundle)",
  modes: { base: 'fewprompt-chnsenticorp' },
  defaultMode: 'base',
  load: async () => (await import('./task.js')).SentimentAnalysisTask,
});

/**
 * The recipe's result as one line: ChnSentiCorp test accuracy and recall per class, and whether it shipped.
 * @example sentimentReport(r); // 'sentiment_analysis → runs/sentiment (bundle …, bias 0.0123): ChnSentiCorp test …'
 */
export function sentimentReport(r: SentimentTrainResult): string {
  const test = r.scores['ChnSentiCorp test'];
  const recall = test ? `, recall negative ${pct(test.recall[0] * 100)} / positive ${pct(test.recall[1] * 100)}` : '';
  const ship = r.verdict ? `; ${r.verdict.ship ? 'shipped' : 'not shipped'}: ${r.verdict.reason}` : '';
  return (
    `sentiment_analysis → ${r.out} (bundle ${r.bundle}, bias ${r.bias.toFixed(4)}): ChnSentiCorp test ` +
    `accuracy ${pct(test ? test.accuracy * 100 : undefined)}${recall}${ship}`
  );
}

/** `inference/taskflow/sentiment-analysis/`. */
export const SENTIMENT_ANALYSIS_FAMILY = taskflowFamily({
  name: 'sentiment-analysis',
  tasks: [SENTIMENT_ANALYSIS_TASK],
  recipes: [
    taskflowRecipe({
      kind: 'sentiment_analysis',
      summary: 'PET on ChnSentiCorp and more review sets, balanced, bias chosen on dev',
      settings: SENTIMENT_SETTINGS,
      async train(options, supplies) {
        const { trainSentiment } = await import('./train.js');
        return trainSentiment(options as Partial<SentimentTrainOptions>, await supplies.sentimentMethod());
      },
      report: sentimentReport,
    }),
  ],
});
