/**
 * The conversion's entry point: Baidu LAC (PaddlePaddle LoDTensor files, e.g. jieba's `lac_small`) → the model shipped
 * under `inference/taskflow/lexical-analysis/model/` (convert.ts does the work; `Taskflow(…, { taskPath })` runs the
 * same conversion on first use of a PaddlePaddle directory).
 *
 *   npx tsx inference/taskflow/lexical-analysis/convert-lac.ts [--from ../shared/models/lac_small] \
 *     [--to inference/taskflow/lexical-analysis/model] [--dtype mixed|f16|f32]
 *
 * (mixed = F16 embedding, F32 elsewhere: identical tags on SXU; all-F16 changes 3 of 3654 sentences)
 */
import { parseArgs } from 'node:util';
import { ConfigError } from '../../../framework/errors.js';
import { convertPaddleLac, type ConvertDtype } from './convert.js';

const { values } = parseArgs({
  options: {
    from: { type: 'string', default: '../shared/models/lac_small' },
    to: { type: 'string', default: 'inference/taskflow/lexical-analysis/model' },
    dtype: { type: 'string', default: 'mixed' },
  },
});
const dtype = values.dtype;
if (dtype !== 'f16' && dtype !== 'f32' && dtype !== 'mixed')
  throw new ConfigError(`--dtype must be f16, f32 or mixed; got '${dtype}'`);
const count = convertPaddleLac(values.from, values.to, dtype satisfies ConvertDtype);
console.log(`wrote ${count} tensors (${dtype}) to ${values.to}`);
