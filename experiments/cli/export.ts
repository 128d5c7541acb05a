import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../../framework/errors.js';
import { log } from '../../framework/log.js';
import { checkChoice, FUSIONS, PRECISIONS } from '../../inference/export/bert-graph.js';
import { exportBundle, readRunSpec } from '../../inference/export/bundle.js';
import { labelWordsOf } from '../../datasets/base.js';
import { getTask, TASK_KINDS, type FewClueKind } from '../../datasets/index.js';
import type { Command } from './command.js';

const usage = `usage: fewprompt export --run DIR --out BUNDLE [--precision fp32|fp16|int8] [--fusion contrib|none]

Exports a trained run (fewprompt train --out DIR) as a self-contained ONNX bundle: model.onnx
(ending in label scores), tokenizer files, template, verbalizer and labels, and bundle.json with
the source run's metrics. Load it with loadClassifier(), 'fewprompt predict' or 'fewprompt serve'.
  --run DIR        the training run directory (needs DIR/model and DIR/method.json)
  --out BUNDLE     where to write the bundle
  --precision P    fp32 (default); fp16 (float16 weights, half the size); int8 (dynamic
                   quantisation of every encoder MatMul, per-column int8 weights)
  --fusion F       contrib (default: ORT's fused com.microsoft kernels) or none (standard ops)`;

/** Task defaults a run's method.json leaves out: label words and the text fields. */
function taskDefaults(spec: { task?: { type?: string } }): {
  labelWords?: Record<string, string[]>;
  descriptions?: Record<string, string>;
  textFields?: string[];
} {
  const kind = spec.task?.type;
  if (kind === undefined || !(TASK_KINDS as readonly string[]).includes(kind)) return {};
  const task = getTask(kind as FewClueKind);
  return {
    labelWords: labelWordsOf(task.defaults.pet.verbalizer),
    textFields: [...task.textFields],
    ...(task.multipleChoice ? {} : { descriptions: { ...task.defaults.efl.descriptions } }),
  };
}

/** `fewprompt export`. */
export const exportCommand: Command = {
  name: 'export',
  usage,
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        run: { type: 'string' },
        out: { type: 'string' },
        precision: { type: 'string', default: 'fp32' },
        fusion: { type: 'string', default: 'contrib' },
      },
    });
    if (values.run === undefined || values.out === undefined)
      throw new ConfigError(`export needs --run DIR and --out BUNDLE\n${usage}`);
    const precision = checkChoice('--precision', values.precision, PRECISIONS);
    const fusion = checkChoice('--fusion', values.fusion, FUSIONS);
    let method: { task?: { type?: string } } = {};
    try {
      method = JSON.parse(readFileSync(join(values.run, 'method.json'), 'utf8')) as typeof method;
    } catch {
      /* readRunSpec reports it */
    }
    const spec = readRunSpec(values.run, taskDefaults(method));
    const t0 = Date.now();
    const manifest = await exportBundle(spec, values.out, { precision, fusion });
    log.info(
      `exported ${manifest.method} run ${values.run} → ${values.out} (${precision}, ${fusion}: ${manifest.model.nodesPerLayer} nodes per encoder layer, ${manifest.model.nodes} in all) in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
    console.log(
      JSON.stringify({
        bundle: values.out,
        method: manifest.method,
        labels: manifest.labels,
        precision,
        fusion,
        nodesPerLayer: manifest.model.nodesPerLayer,
        nodes: manifest.model.nodes,
      }),
    );
    return 0;
  },
};
