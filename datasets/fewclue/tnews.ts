/**
 * TNEWS (Toutiao news titles): which of 15 news categories is a headline? Label keys are the data's
 * codes as strings (`'100'`…`'116'`, no 105 or 111); names from the data's `label_index2en2zh.json`.
 */
import type { Example, TaskDefaults } from '../base.js';
import { readId, requireString, type Where } from '../generic/record.js';
import { FewClueTask } from './fewclue-task.js';

/** `[code, English name, Chinese name]`, as in the data's `tnews/label_index2en2zh.json`. */
export const TNEWS_LABELS: readonly (readonly [code: string, en: string, zh: string])[] = [
  ['100', 'news_story', '故事'],
  ['101', 'news_culture', '文化'],
  ['102', 'news_entertainment', '娱乐'],
  ['103', 'news_sports', '体育'],
  ['104', 'news_finance', '财经'],
  ['106', 'news_house', '房产'],
  ['107', 'news_car', '汽车'],
  ['108', 'news_edu', '教育'],
  ['109', 'news_tech', '科技'],
  ['110', 'news_military', '军事'],
  ['112', 'news_travel', '旅游'],
  ['113', 'news_world', '国际'],
  ['114', 'news_stock', '股票'],
  ['115', 'news_agriculture', '农业'],
  ['116', 'news_game', '电竞'],
];

const words = Object.fromEntries(TNEWS_LABELS.map(([code, , zh]) => [code, [zh]]));

/**
 * TNEWS: `sentence` (headline) → category code. `meta` keeps `label_desc` and `keywords` where present.
 *
 * @example
 * const task = new TnewsTask({ dataDir: '../shared/fewclue' });
 * task.labelNames['107']; // => '汽车'
 * task.load('test')[0].id; // => '0'   (TNEWS test ids are strings, echoed as-is in submissions)
 */
export class TnewsTask extends FewClueTask {
  static override readonly kind = 'tnews';
  readonly kind = TnewsTask.kind;
  readonly labels = TNEWS_LABELS.map(([code]) => code);
  readonly labelNames: Readonly<Record<string, string>> = Object.fromEntries(
    TNEWS_LABELS.map(([code, , zh]) => [code, zh]),
  );
  readonly textFields = ['sentence'] as const;
  readonly defaults: TaskDefaults = {
    pet: { template: "{'text': 'sentence'}。这是{'mask'}{'mask'}的内容！", verbalizer: words },
    ptuning: { template: "{'mask'}{'mask'}{'soft': None, 'length': 6}{'text': 'sentence'}", verbalizer: words },
    efl: {
      template: "下面报道一条{'text': 'candidate_label'}新闻。{'text': 'sentence'}",
      descriptions: Object.fromEntries(TNEWS_LABELS.map(([code, , zh]) => [code, zh])),
    },
  };
  protected readonly submissionFile = 'tnewsf_predict.json';

  protected parse(r: Readonly<Record<string, unknown>>, where: Where, labelled: boolean): Example {
    const meta: Record<string, unknown> = {};
    for (const k of ['label_desc', 'keywords']) if (typeof r[k] === 'string') meta[k] = r[k];
    return {
      id: readId(r, where),
      fields: { sentence: requireString(r, 'sentence', where) },
      ...(labelled ? { label: requireString(r, 'label', where) } : {}),
      ...(Object.keys(meta).length > 0 ? { meta } : {}),
    };
  }
}
