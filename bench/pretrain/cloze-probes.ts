/**
 * Cloze probes of everyday Chinese: does a model rank the obvious character first / in its top 5?
 * Compares any number of model directories side by side and writes bench/results/cloze-probes.{json,md}.
 *   npx tsx bench/pretrain/cloze-probes.ts MODEL_DIR [MODEL_DIR…]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { initBackend } from '../../framework/backend/select.js';
import { loadPretrained } from '../../framework/model/pretrained.js';
import { fillMask } from '../../framework/pipelines/fill-mask.js';
import { BertTokenizer } from '../../framework/tokenizer/index.js';

/** [text with one [MASK], the expected character]. Written for this benchmark; not taken from any corpus. */
export const CLOZE_PROBES: readonly [string, string][] = [
  ['中华人民共和[MASK]', '国'],
  ['北[MASK]是中国的首都', '京'],
  ['我们明天去学[MASK]上课', '校'],
  ['今天天气很[MASK]，适合出去玩', '好'],
  ['他每天早上喝一杯牛[MASK]', '奶'],
  ['这家饭店的菜很好[MASK]', '吃'],
  ['我用手[MASK]给妈妈打电话', '机'],
  ['一年有十二个[MASK]', '月'],
  ['春节是中国最重要的传统节[MASK]', '日'],
  ['请把门关[MASK]', '上'],
  ['他坐飞[MASK]去上海出差', '机'],
  ['医生说我需要多喝[MASK]', '水'],
  ['这本书非常有意[MASK]', '思'],
  ['我们一起去看电[MASK]吧', '影'],
  ['这件衣服的价格太[MASK]了', '贵'],
  ['晚上十点我要睡[MASK]了', '觉'],
  ['小猫喜欢吃[MASK]', '鱼'],
  ['他是一名中学老[MASK]', '师'],
  ['快递明天就能送[MASK]', '到'],
  ['谢谢你的帮[MASK]', '助'],
];

const dirs = process.argv.slice(2);
if (dirs.length === 0) {
  console.error('usage: npx tsx bench/pretrain/cloze-probes.ts MODEL_DIR [MODEL_DIR…]');
  process.exit(2);
}
await initBackend();
const results: {
  model: string;
  top1: number;
  top5: number;
  probes: { text: string; expected: string; top5: string[]; hit1: boolean; hit5: boolean }[];
}[] = [];
for (const dir of dirs) {
  const { model } = await loadPretrained(dir);
  const tokenizer = await BertTokenizer.fromPretrained(dir);
  const probes = CLOZE_PROBES.map(([text, expected]) => {
    const top5 = fillMask(model, tokenizer, text, 5)[0]!.map((c) => c.token);
    return { text, expected, top5, hit1: top5[0] === expected, hit5: top5.includes(expected) };
  });
  results.push({
    model: dir,
    top1: probes.filter((p) => p.hit1).length,
    top5: probes.filter((p) => p.hit5).length,
    probes,
  });
  model.dispose();
}
const md = [
  `# Cloze probes (${CLOZE_PROBES.length} everyday sentences, one [MASK] each)`,
  '',
  `| probe | expected | ${results.map((r) => `${basename(r.model)} top-5`).join(' | ')} |`,
  `|---|---|${results.map(() => '---').join('|')}|`,
  ...CLOZE_PROBES.map(
    ([text, expected], i) =>
      `| ${text} | ${expected} | ${results
        .map((r) => r.probes[i]!.top5.map((t) => (t === expected ? `**${t}**` : t)).join(' '))
        .join(' | ')} |`,
  ),
  `| **hits** | | ${results
    .map((r) => `top-1 ${r.top1}/${CLOZE_PROBES.length}, top-5 ${r.top5}/${CLOZE_PROBES.length}`)
    .join(' | ')} |`,
  '',
].join('\n');
mkdirSync(new URL('../results/', import.meta.url), { recursive: true });
writeFileSync(new URL('../results/cloze-probes.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(new URL('../results/cloze-probes.md', import.meta.url), md);
console.log(md);
