/**
 * `poetry_generation`: continues a line of classical Chinese verse with the next line, PaddleNLP Taskflow's
 * shape `{text, answer}`. The model (models/poetry-gpt-zh, trained by train.ts on Tang
 * quatrains and regulated verse) is our small character-level GPT on ONNX Runtime with cached decoding;
 * the answer runs until the model ends the sentence with '。' (or `maxOutLen` characters).
 */
import type { GenerationArgs } from '../../../framework/generation/base.js';
import { TextGenerator, type TextGenerationOptions } from './generator.js';
import { Task, type TaskConfig, type TaskflowOptions, taskConfig, type TaskModel, taskModelDir } from '../base.js';
import { POETRY_GENERATION_TASK } from './family.js';
import { packagePath } from '../../../framework/package-paths.js';

/** The shipped model: in the git repository, not in the npm package. */
const MODEL: TaskModel = {
  task: 'poetry_generation',
  path: 'models/poetry-gpt-zh',
  marker: 'config.json',
  what: 'model directory',
  makeOne: 'a GPT directory from fewprompt taskflow-train poetry_generation --ship DIR',
};
/** Where the shipped model directory lives. */
export const SHIPPED_POETRY_MODEL = packagePath(MODEL.path);

/** One result: the input line and the generated continuation (punctuation included). */
export interface PoetryResult {
  readonly text: string;
  readonly answer: string;
}

/**
 * Decoding per mode; `sampling` is seeded, so every mode is deterministic. A mild repetition penalty (1.2) keeps a
 * line from repeating one character three times, and `minOutLen` 2 keeps an answer from being a bare '。' (beam
 * search preferred that after some 7-character lines); MODEL_CARD.md says what each changes.
 */
export const POETRY_DECODING: Readonly<Record<string, TextGenerationOptions>> = {
  beam_search: { strategy: 'beam_search', beamSize: 4, alpha: 0, repetitionPenalty: 1.2, minOutLen: 2, maxOutLen: 20 },
  greedy: { strategy: 'greedy', repetitionPenalty: 1.2, minOutLen: 2, maxOutLen: 20 },
  sampling: {
    strategy: 'sampling',
    topK: 8,
    temperature: 0.9,
    seed: 1,
    repetitionPenalty: 1.2,
    minOutLen: 2,
    maxOutLen: 20,
  },
};

/**
 * Poetry continuation. Modes: `sampling` (default; top-k 8, temperature 0.9, seed 1), `beam_search` (4 beams),
 * `greedy`, each with a repetition penalty of 1.2. The shipped model (see its card) writes lines of the right form
 * that read like verse more than they say anything; beam search's are the most generic.
 * `taskPath` loads another GPT directory in the same layout.
 * @example
 * const task = await PoetryGenerationTask.fromConfig(PoetryGenerationTask.configure({}));
 * await task.run(['深山不见人']); // → [{ text: '深山不见人', answer: '，春草半如蝉。' }] (shipped model, default mode)
 */
export class PoetryGenerationTask extends Task<PoetryResult> {
  static readonly kind = POETRY_GENERATION_TASK.kind;
  static readonly modes = POETRY_GENERATION_TASK.modes;

  private constructor(
    config: TaskConfig,
    private readonly generator: TextGenerator,
  ) {
    super(config);
  }

  /** Validated config with defaults (mode `sampling`). */
  static configure(options: TaskflowOptions): TaskConfig {
    return taskConfig(POETRY_GENERATION_TASK, options);
  }

  /** Loads the model a config names. */
  static async fromConfig(config: TaskConfig): Promise<PoetryGenerationTask> {
    return new PoetryGenerationTask(config, await TextGenerator.load(taskModelDir(MODEL, config.taskPath)));
  }

  /** The generation arguments this task uses (the seed included). */
  get args(): GenerationArgs {
    return this.generator.resolve({ ...POETRY_DECODING[this.config.mode], stopText: '。' });
  }

  async run(texts: readonly string[]): Promise<PoetryResult[]> {
    const answers = texts.map(() => '');
    const todo = texts.map((t, i) => ({ t: t.trim(), i })).filter((x) => x.t !== '');
    const args = this.args;
    for (let k = 0; k < todo.length; k += this.config.batchSize) {
      const batch = todo.slice(k, k + this.config.batchSize);
      const generated = await this.generator.generate(
        batch.map((x) => x.t),
        args,
      );
      generated.forEach((g, j) => {
        answers[batch[j]!.i] = g.continuation;
      });
    }
    return texts.map((text, i) => ({ text, answer: answers[i]! }));
  }
}
