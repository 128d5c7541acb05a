/**
 * Converts Baidu LAC (PaddlePaddle LoDTensor files, e.g. jieba's `lac_small`) into the model
 * shipped under `inference/lac/model/`.
 *
 *   npx tsx scripts/convert-lac.ts [--from ../shared/models/lac_small] [--to inference/lac/model] \
 *     [--dtype mixed|f16|f32]
 *
 * (mixed = F16 embedding, F32 elsewhere: identical tags on SXU; all-F16 changes 3 of 3654 sentences)
 */
import { parseArgs } from 'node:util';
import { convertPaddleLac, type ConvertDtype } from '../inference/lac/convert.js';

const { values } = parseArgs({
  options: {
    from: { type: 'string', default: '../shared/models/lac_small' },
    to: { type: 'string', default: 'inference/lac/model' },
    dtype: { type: 'string', default: 'mixed' },
  },
});
const dtype = values.dtype;
if (dtype !== 'f16' && dtype !== 'f32' && dtype !== 'mixed') {
  console.error(`--dtype must be f16, f32 or mixed; got '${dtype}'`);
  process.exit(2);
}
const count = convertPaddleLac(values.from, values.to, dtype satisfies ConvertDtype);
console.log(`wrote ${count} tensors (${dtype}) to ${values.to}`);
