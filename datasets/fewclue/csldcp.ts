/**
 * CSLDCP (Chinese Scientific Literature Discipline Classification): which of 67 disciplines is a
 * paper abstract from? Label keys are the discipline names (the data's `csldcp/labels_all.txt`).
 */
import type { Example, TaskDefaults } from '../base.js';
import { readId, requireString, type Where } from '../generic/record.js';
import { FewClueTask } from './fewclue-task.js';

/**
 * `[label, PET word, P-Tuning word]`, in `labels_all.txt` order. PET words: the data's
 * `csldcp/label_words.json`; P-Tuning words: PaddleNLP `examples/few_shot/p-tuning/prompt/csldcp.json`.
 */
export const CSLDCP_LABELS: readonly (readonly [label: string, pet: string, ptuning: string])[] = [
  ['材料科学与工程', '材料', '材料'],
  ['作物学', '作物', '作物'],
  ['口腔医学', '口腔', '口腔'],
  ['药学', '药学', '药学'],
  ['教育学', '教育', '教育'],
  ['水利工程', '水利', '水利'],
  ['理论经济学', '理经', '理经'],
  ['食品科学与工程', '食品', '食品'],
  ['畜牧学/兽医学', '兽医', '畜牧'],
  ['体育学', '体育', '体育'],
  ['核科学与技术', '核能', '核科'],
  ['力学', '力学', '力学'],
  ['园艺学', '园艺', '园艺'],
  ['水产', '水产', '水产'],
  ['法学', '法学', '法学'],
  ['地质学/地质资源与地质工程', '地质', '地质'],
  ['石油与天然气工程', '能源', '石油'],
  ['农林经济管理', '农林', '农林'],
  ['信息与通信工程', '通信', '通信'],
  ['图书馆、情报与档案管理', '情报', '图书'],
  ['政治学', '政治', '政治'],
  ['电气工程', '电气', '电气'],
  ['海洋科学', '海洋', '海洋'],
  ['民族学', '民族', '民族'],
  ['航空宇航科学与技术', '航空', '航空'],
  ['化学/化学工程与技术', '化工', '化学'],
  ['哲学', '哲学', '哲学'],
  ['公共卫生与预防医学', '卫生', '卫生'],
  ['艺术学', '艺术', '艺术'],
  ['农业工程', '农工', '农工'],
  ['船舶与海洋工程', '船舶', '船舶'],
  ['计算机科学与技术', '计科', '计科'],
  ['冶金工程', '冶金', '冶金'],
  ['交通运输工程', '交通', '交通'],
  ['动力工程及工程热物理', '动力', '动力'],
  ['纺织科学与工程', '纺织', '纺织'],
  ['建筑学', '建筑', '建筑'],
  ['环境科学与工程', '环境', '环境'],
  ['公共管理', '公管', '公管'],
  ['数学', '数学', '数学'],
  ['物理学', '物理', '物理'],
  ['林学/林业工程', '林业', '林学'],
  ['心理学', '心理', '心理'],
  ['历史学', '历史', '历史'],
  ['工商管理', '工商', '工管'],
  ['应用经济学', '应经', '应经'],
  ['中医学/中药学', '中医', '中医'],
  ['天文学', '天文', '天文'],
  ['机械工程', '机械', '机械'],
  ['土木工程', '土木', '土木'],
  ['光学工程', '光学', '光学'],
  ['地理学', '地理', '地理'],
  ['农业资源利用', '农资', '农业'],
  ['生物学/生物科学与工程', '生物', '生物'],
  ['兵器科学与技术', '兵器', '兵器'],
  ['矿业工程', '矿业', '矿业'],
  ['大气科学', '大气', '大气'],
  ['基础医学/临床医学', '医学', '基础'],
  ['电子科学与技术', '电子', '电子'],
  ['测绘科学与技术', '测绘', '测绘'],
  ['控制科学与工程', '控制', '控制'],
  ['军事学', '军事', '军事'],
  ['中国语言文学', '语言', '中文'],
  ['新闻传播学', '新闻', '新闻'],
  ['社会学', '社会', '社会'],
  ['地球物理学', '地球', '地球'],
  ['植物保护', '植物', '植保'],
];

/**
 * CSLDCP: `content` (abstract) → discipline.
 *
 * @example
 * const task = new CsldcpTask({ dataDir: '../shared/fewclue' });
 * task.labels.length;                      // => 67
 * task.defaults.pet.verbalizer['数学'];    // => ['数学']
 */
export class CsldcpTask extends FewClueTask {
  static override readonly kind = 'csldcp';
  readonly kind = CsldcpTask.kind;
  readonly labels = CSLDCP_LABELS.map(([label]) => label);
  readonly labelNames = undefined;
  readonly textFields = ['content'] as const;
  readonly defaults: TaskDefaults = {
    pet: {
      template: "这篇关于{'mask'}{'mask'}的文章讲了{'text': 'content'}",
      verbalizer: Object.fromEntries(CSLDCP_LABELS.map(([label, pet]) => [label, [pet]])),
    },
    ptuning: {
      template: "{'mask'}{'mask'}{'soft': None, 'length': 6}{'text': 'content'}",
      verbalizer: Object.fromEntries(CSLDCP_LABELS.map(([label, , ptuning]) => [label, [ptuning]])),
    },
    efl: {
      template: "这篇论文阐述了{'text': 'candidate_label'}。{'text': 'content'}",
      descriptions: Object.fromEntries(CSLDCP_LABELS.map(([label]) => [label, label])),
    },
  };
  protected readonly submissionFile = 'csldcp_predict.json';

  protected parse(r: Readonly<Record<string, unknown>>, where: Where, labelled: boolean): Example {
    return {
      id: readId(r, where),
      fields: { content: requireString(r, 'content', where) },
      ...(labelled ? { label: requireString(r, 'label', where) } : {}),
    };
  }
}
