/**
 * Checks that a model directory loads as Hugging Face `transformers`' `BertForMaskedLM` and predicts what our engine
 * predicts: scripts/check_hf_bert.py loads it in PyTorch (with transformers when installed, else a module tree with
 * BertForMaskedLM's exact names and shapes, `strict=True`), and the top 5 at each [MASK] of a few sentences must match
 * ours (same tokens, probabilities within 2e-3). Needs Debian's python3-torch.
 *   npx tsx scripts/check-hf-bert.ts [MODEL_DIR]     (default: the shipped models/fewprompt-zh-mini)
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../framework/backend/select.js';
import { loadPretrained } from '../framework/model/pretrained.js';
import { fillMask } from '../framework/pipelines/fill-mask.js';
import { BertTokenizer } from '../framework/tokenizer/index.js';

const SENTENCES = [
  '中华人民共和[MASK]',
  '这家饭店的菜很好[MASK]，服务也[MASK]错。',
  '快递很快，包装完好，[MASK]量也不错，下次还会再来买的。',
  '据新华社报道，国务院总理在北京会见了来访的外国[MASK]导人，双方就两国关系交换了意见。',
];
const TOLERANCE = 2e-3;

const dir = process.argv[2] ?? fileURLToPath(new URL('../models/fewprompt-zh-mini', import.meta.url));
await initBackend();
const loaded = await Promise.all([loadPretrained(dir), BertTokenizer.fromPretrained(dir)]).catch((error: Error) => {
  console.error(`check-hf-bert: fewprompt cannot load ${dir}: ${error.message}`);
  process.exit(1);
});
const [{ model }, tokenizer] = loaded;
const inputs = SENTENCES.map((s) => tokenizer.encode(s).inputIds);
const ours = SENTENCES.map((s) => fillMask(model, tokenizer, s, 5).map((c) => c.map((x) => [x.token_id, x.score])));

let stdout: string;
try {
  stdout = execFileSync('/usr/bin/python3', [fileURLToPath(new URL('check_hf_bert.py', import.meta.url)), dir], {
    input: JSON.stringify({ inputs }),
    encoding: 'utf8',
  });
} catch (error) {
  const e = error as { stdout?: string; message: string };
  const reported = e.stdout ? (JSON.parse(e.stdout) as { error?: string }).error : undefined;
  console.error(`check-hf-bert: ${reported ?? e.message.split('\n')[0]}`);
  process.exit(1);
}
const theirs = JSON.parse(stdout) as { loader: string; top5: [number, number][][][] };
let worst = 0;
const mismatches: string[] = [];
ours.forEach((masks, s) =>
  masks.forEach((top, m) => {
    const other = theirs.top5[s]![m]!;
    top.forEach(([id, p], k) => {
      const [otherId, otherP] = other[k]!;
      // Near-ties may swap places under float differences; a swap is only a mismatch when the scores differ.
      if (id !== otherId && Math.abs(p! - otherP) > TOLERANCE)
        mismatches.push(
          `'${SENTENCES[s]}' mask ${m + 1} rank ${k + 1}: ours ${tokenizer.idToToken(id!)}, ` +
            `PyTorch ${tokenizer.idToToken(otherId)}`,
        );
      worst = Math.max(worst, Math.abs(p! - otherP));
    });
  }),
);
const masks = ours.flat().length;
if (mismatches.length > 0 || worst > TOLERANCE) {
  console.error(
    `check-hf-bert: ${dir} differs under ${theirs.loader}: ${mismatches.join('; ') || ''} ` +
      `(largest probability difference ${worst.toExponential(2)}, tolerance ${TOLERANCE})`,
  );
  process.exit(1);
}
console.log(
  `check-hf-bert: ${dir} loads as BertForMaskedLM (${theirs.loader}); top 5 at ${masks} masks agree ` +
    `with fewprompt (largest probability difference ${worst.toExponential(2)})`,
);
