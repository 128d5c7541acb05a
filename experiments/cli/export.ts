import { parseArgs } from 'node:util';
import { ConfigError } from '../../framework/errors.js';
import { log } from '../../framework/log.js';
import { checkChoice, FUSIONS, PRECISIONS } from '../../framework/onnx/choices.js';
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

const FLAGS = {
  run: { type: 'string' },
  out: { type: 'string' },
  precision: { type: 'string', default: 'fp32' },
  fusion: { type: 'string', default: 'contrib' },
} as const;

/** `fewprompt export`. */
export const exportCommand: Command = {
  name: 'export',
  usage,
  options: FLAGS,
  async run(args) {
    const { values } = parseArgs({ args, options: FLAGS });
    if (values.run === undefined || values.out === undefined)
      throw new ConfigError(`export needs --run DIR and --out BUNDLE\n${usage}`);
    const precision = checkChoice('--precision', values.precision, PRECISIONS);
    const fusion = checkChoice('--fusion', values.fusion, FUSIONS);
    const t0 = Date.now();
    // Loaded here: `export --help` must not wait for tfjs and the methods.
    const { exportRun } = await import('../export-run.js');
    const manifest = await exportRun(values.run, values.out, { precision, fusion });
    log.info(
      `exported ${manifest.method} run ${values.run} → ${values.out} (${precision}, ${fusion}: ` +
        `${manifest.model.nodesPerLayer} nodes per encoder layer, ${manifest.model.nodes} in all) ` +
        `in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
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
