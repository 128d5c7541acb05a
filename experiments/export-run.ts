import { ExportError, UnknownKindError } from '../framework/errors.js';
import { log } from '../framework/log.js';
import { exportBundle, type BundleManifest, type GraphOptions } from '../inference/export/bundle.js';
import { readRunSpec, type RunSpec } from '../inference/export/method-spec.js';
import { getTask, TASK_KINDS, type FewClueKind } from '../datasets/index.js';
import { getMethod } from './methods/registry.js';

/**
 * Exports a training run (`fewprompt train --out DIR`) as a bundle through its method's own export head, found in the
 * method registry by `method.json`'s kind.
 * @example
 * const manifest = await exportRun('runs/pet', 'bundles/pet', { precision: 'int8' });
 */
export async function exportRun(run: string, out: string, options: GraphOptions = {}): Promise<BundleManifest> {
  const spec = withLegacyPrompt(readRunSpec(run));
  let head: ReturnType<typeof getMethod>['head'];
  try {
    head = getMethod(spec.kind).head;
  } catch (error) {
    if (error instanceof UnknownKindError) throw new ExportError(`run ${run}: ${error.message}`);
    throw error;
  }
  return exportBundle(spec, head, out, options);
}

/**
 * Runs written before `method.json` had a `formatVersion` (version 0) did not always pin their prompt: what they leave
 * out is taken from the FewCLUE task's defaults of today, with a warning, since those may have changed since.
 */
function withLegacyPrompt(spec: RunSpec): RunSpec {
  if (spec.formatVersion !== undefined) return spec;
  const kind = (spec.task as { type?: unknown } | undefined)?.type;
  if (typeof kind !== 'string' || !(TASK_KINDS as readonly string[]).includes(kind)) return spec;
  const task = getTask(kind as FewClueKind);
  const prompt = getMethod(spec.kind).resolvePrompt(spec, task);
  const filled = Object.keys(prompt).filter((k) => spec[k as keyof typeof prompt] === undefined);
  if (filled.length > 0)
    log.warn(
      `run ${spec.dir}: method.json predates format 1; its ${filled.join(', ')} come from today's ${kind} ` +
        'defaults, which may differ from what it trained with',
    );
  return { ...spec, ...prompt, textFields: spec.textFields ?? [...task.textFields] };
}
