import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { ConfigError } from '../../framework/errors.js';
import { helpLines, settingsArgOptions, settingsFromArgs, settingsHelp } from '../../framework/settings.js';
import { type FamilyRecipe, findTaskflowRecipe, taskflowRecipes } from '../../inference/taskflow/catalog.js';
import type { TaskflowRecipe } from '../../inference/taskflow/family.js';
import type { RecipeSupplies } from '../../inference/taskflow/train-settings.js';
import type { Command } from './command.js';

/** What `experiments/` supplies the recipes that train through it, each loaded only when a recipe asks. */
const SUPPLIES: RecipeSupplies = {
  sentimentMethod: async () => (await import('../taskflow/sentiment-method.js')).promptSentimentMethod,
};

/** The usage text, read when asked: it lists the recipes of the families registered by then. */
function usage(): string {
  const recipes = taskflowRecipes();
  return `usage: fewprompt taskflow-train TASK [options]

Trains a Taskflow task's model with its family's recipe (inference/taskflow/<family>/family.ts names it; the code is
the family's train.ts, for text_correction_lm text-correction/lm-train.ts) and, with --bundle, writes the bundle that
Taskflow(TASK, { taskPath }) loads. The shipped models and how they were trained: each
family's README.md and models/taskflow/<family>/MODEL_CARD.md.
${helpLines(recipes.map((r) => ({ head: r.kind, help: `${r.summary} (inference/taskflow/${r.family}/)` })))}
${recipes
  .map(
    (r) => `
${r.kind} options:
${helpLines(settingsHelp(r.settings))}`,
  )
  .join('')}`;
}

/** The recipe's flags → its options: numbers checked, choices checked, absent flags left out. */
export function trainOptionsFromFlags(recipe: TaskflowRecipe, args: string[]): Record<string, unknown> {
  const { values } = parseArgs({ args, options: settingsArgOptions(recipe.settings), strict: true });
  return settingsFromArgs(recipe.settings, values);
}

/**
 * Runs a recipe with the options its flags give; returns its one-line report.
 * @example await trainFromFlags(findTaskflowRecipe('ner'), ['--max-steps', '600']); // 'ner → runs/ner (600 steps; …'
 */
export async function trainFromFlags(recipe: FamilyRecipe, args: string[]): Promise<string> {
  return recipe.report(await recipe.train(trainOptionsFromFlags(recipe, args), SUPPLIES));
}

/** `fewprompt taskflow-train`: a Taskflow family's training recipe. */
export const taskflowTrainCommand: Command = {
  name: 'taskflow-train',
  get usage() {
    return usage();
  },
  get options() {
    return Object.assign({}, ...taskflowRecipes().map((r) => settingsArgOptions(r.settings))) as ParseArgsOptionsConfig;
  },
  async run(args) {
    const [kind, ...rest] = args;
    if (kind === undefined || kind.startsWith('-')) {
      const kinds = taskflowRecipes().map((r) => r.kind);
      throw new ConfigError(`taskflow-train needs a TASK first (${kinds.join(', ')})\n${usage()}`);
    }
    console.log(await trainFromFlags(findTaskflowRecipe(kind), rest));
    return 0;
  },
};
