/**
 * Test support: a toy Taskflow family that the registry tests register at run time, as a program registers its own —
 * `char_count` (characters per text, or UTF-8 bytes in mode `bytes`; no model files) and a recipe that "trains" by
 * counting a text; never in the package.
 */
import { resolveSettings } from '../../framework/settings.js';
import { Task, type TaskConfig } from './base.js';
import { taskflowFamily, taskflowRecipe, taskflowTask } from './family.js';

/** Characters (code points) per text, or UTF-8 bytes in mode `bytes`. */
export class CharCountTask extends Task<number> {
  static readonly kind = 'char_count';

  /** Loads nothing: the task has no model. */
  static async fromConfig(config: TaskConfig): Promise<CharCountTask> {
    return new CharCountTask(config);
  }

  async run(texts: readonly string[]): Promise<number[]> {
    return texts.map((t) => (this.config.mode === 'bytes' ? Buffer.byteLength(t) : [...t].length));
  }
}

/** The recipe's one setting table. */
export const CHAR_COUNT_SETTINGS = {
  text: { type: 'string', default: '三亚是一个美丽的城市', help: 'the text to count' },
  times: { type: 'integer', default: 1, min: 1, help: 'how many copies of it' },
} as const;

/** `inference/taskflow/char-count/`, if it were a folder. */
export const CHAR_COUNT_FAMILY = taskflowFamily({
  name: 'char-count',
  tasks: [
    taskflowTask({
      kind: 'char_count',
      summary: 'characters per text (a toy family registered by the tests)',
      modes: { chars: 'none', bytes: 'none' },
      defaultMode: 'chars',
      load: async () => CharCountTask,
    }),
  ],
  recipes: [
    taskflowRecipe({
      kind: 'char_count',
      summary: 'counts the characters of --text --times times',
      settings: CHAR_COUNT_SETTINGS,
      train: async (options) => {
        const { text, times } = resolveSettings(CHAR_COUNT_SETTINGS, options);
        return { chars: [...text].length * times };
      },
      report: (r) => `char_count → ${r.chars} characters`,
    }),
  ],
});
