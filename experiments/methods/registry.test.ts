import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, test } from 'vitest';
import { tf, type Tensor } from '../../framework/backend/tf.js';
import { ConfigError } from '../../framework/errors.js';
import { loadPretrained } from '../../framework/model/pretrained.js';
import { OnnxType } from '../../framework/onnx/proto.js';
import { dense } from '../../framework/ops/matmul.js';
import { BertTokenizer } from '../../framework/tokenizer/index.js';
import { readSafetensors } from '../../framework/checkpoint/safetensors.js';
import { getTask } from '../../datasets/index.js';
import type { Example } from '../../datasets/base.js';
import type { ClassifierHead } from '../../inference/export/bundle.js';
import { readRunSpec } from '../../inference/export/method-spec.js';
import { loadClassifier } from '../../inference/runtime/classifier.js';
import { parseExperimentConfig } from '../config/experiment.js';
import { exportRun } from '../export-run.js';
import { runExperiment } from '../run-experiment.js';
import { saveTinyModel } from '../../framework/testing/tiny-bert.js';
import { FIXTURES_DIR, TINY_TRAIN } from '../testing/fixtures.js';
import { fieldText, int2d, Method, type MethodBatch, type MethodSetup } from './base.js';
import type { MethodDefinition } from './definition.js';
import { createMethod, getMethod, methodFromConfig, methodKinds, registerMethod } from './registry.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/**
 * A method defined entirely in this file: `[CLS]`'s hidden state (no pooler) → a linear layer. Its tfjs scoring, its
 * export head and its definition are all it takes; registering it is the one other line.
 */
class ClsLinearMethod extends Method<MethodBatch> {
  readonly kind: string = 'cls_linear';

  constructor(setup: MethodSetup) {
    super(setup);
    const labels = setup.task.labels.length;
    this.param('classifier.weight', [setup.model.config.hiddenSize, labels], 'normal', 1);
    this.param('classifier.bias', [labels], 'zeros');
  }

  makeBatch(examples: Example[]): MethodBatch {
    const { tokenizer, task, maxSeqLen } = this.setup;
    const texts = examples.map((e) => fieldText(e.fields[task.textFields[0]!]));
    const enc = tokenizer.encodeBatch(texts, { maxLength: maxSeqLen, truncation: 'longest_first', padding: 'longest' });
    return {
      tensors: [
        int2d(enc.map((x) => x.inputIds)),
        int2d(enc.map((x) => x.tokenTypeIds)),
        int2d(enc.map((x) => x.attentionMask)),
      ],
      targets: tf.tensor1d(
        examples.map((e) => this.labelOf(e) ?? -1),
        'int32',
      ),
    };
  }

  logits(batch: MethodBatch, training: boolean, seed: number): Tensor {
    const [inputIds, tokenTypeIds, attentionMask] = batch.tensors as [Tensor, Tensor, Tensor];
    const hidden = this.setup.model.encode({ inputIds, tokenTypeIds, attentionMask }, { training, seed });
    const cls = tf.squeeze(tf.slice(hidden, [0, 0, 0], [-1, 1, -1]), [1]);
    return dense(cls, this.own.get('classifier.weight')!, this.own.get('classifier.bias')!);
  }
}

/** The same `[CLS]` → linear layer as an ONNX head. */
const clsLinearHead: ClassifierHead = ({ spec, methodWeights }) => ({
  emit: (bert, hidden) => {
    const g = bert.g;
    const cls = g.op('Gather', [hidden, g.init('toy_cls_index', [], Int32Array.of(0))], { attributes: { axis: 1 } });
    const w = bert.weight('toy.classifier.weight', methodWeights.get('method.classifier.weight'));
    const b = bert.weight('toy.classifier.bias', methodWeights.get('method.classifier.bias'));
    g.op('Add', [g.op('MatMul', [cls, w]), b], { names: ['scores'] });
    g.output('scores', OnnxType.FLOAT, ['batch', spec.labels.length]);
  },
});

const clsLinear: MethodDefinition = {
  kind: 'cls_linear',
  summary: "a test's own method: [CLS] without the pooler → linear layer",
  softTargets: ClsLinearMethod.softTargets,
  usesMlmHead: false,
  resolvePrompt: () => ({}),
  create: (setup) => new ClsLinearMethod(setup),
  head: clsLinearHead,
};

test('a method registered from a test file: train → export → predict, the bundle matching tfjs', async () => {
  const unregister = registerMethod(clsLinear);
  try {
    assert.ok(methodKinds().includes('cls_linear'));
    const model = await saveTinyModel();
    const out = mkdtempSync(join(tmpdir(), 'fewprompt-toy-method-'));
    dirs.push(model, out);
    const config = parseExperimentConfig({
      task: 'eprstmt',
      method: 'cls_linear',
      dataDir: FIXTURES_DIR,
      model,
      ...TINY_TRAIN,
      predictTest: false,
    });
    const result = await runExperiment(config, { out: join(out, 'run'), saveModel: true, progress: false });
    assert.equal(result.steps, TINY_TRAIN.maxSteps);
    const spec = readRunSpec(join(out, 'run'));
    assert.equal(spec.kind, 'cls_linear');

    const manifest = await exportRun(join(out, 'run'), join(out, 'bundle'));
    assert.equal(manifest.method, 'cls_linear');
    const texts = ['很好用，推荐', '质量太差了，退货', '一般吧'];
    const clf = await loadClassifier(join(out, 'bundle'));
    const predictions = await clf.predict(texts);
    await clf.release();

    // The trained run rebuilt from method.json + weights scores the texts in tfjs as the bundle does.
    const task = getTask('eprstmt', { dataDir: FIXTURES_DIR });
    // The run saves the parts its method used: this one does not score with the MLM head, so there is none.
    const trained = await loadPretrained(join(out, 'run', 'model'));
    assert.equal(trained.model.parts.mlmHead, false);
    const tokenizer = await BertTokenizer.fromPretrained(trained.dir);
    const method = methodFromConfig(spec, { model: trained.model, tokenizer, task, lr: 1e-4, seed: 1 });
    method.restore(new Map([...trained.model.stateDict(), ...readSafetensors(join(out, 'run', 'method.safetensors'))]));
    // method.predict: the same labels and probabilities in-process.
    const inProcess = method.predict(texts);
    for (const [i, p] of predictions.entries()) {
      assert.equal(inProcess[i]!.label, p.label, `text ${i}`);
      for (const label of task.labels)
        assert.ok(Math.abs(p.probabilities[label]! - inProcess[i]!.probabilities[label]!) < 1e-4, `text ${i} ${label}`);
    }
    method.dispose();
    trained.model.dispose();
  } finally {
    unregister();
  }
  assert.ok(!methodKinds().includes('cls_linear'), 'unregistered again');
});

test('getConfig → JSON → methodFromConfig → getConfig is the identity for every built-in method', async () => {
  const model = await saveTinyModel();
  dirs.push(model);
  const { model: bert, dir } = await loadPretrained(model, { parts: { pooler: true, mlmHead: true } });
  const tokenizer = await BertTokenizer.fromPretrained(dir);
  const task = getTask('eprstmt', { dataDir: FIXTURES_DIR });
  for (const kind of ['pet', 'ptuning', 'efl', 'finetune']) {
    const setup = { model: bert, tokenizer, task, lr: 1e-4, seed: 3 };
    const method = createMethod(kind, { ...setup, maxSeqLen: 64 });
    const config = method.getConfig();
    assert.equal(config.kind, kind);
    assert.equal(config.formatVersion, 1);
    const again = methodFromConfig(JSON.parse(JSON.stringify(config)), setup);
    assert.deepEqual(again.getConfig(), config, kind);
    if (kind === 'pet' || kind === 'ptuning') assert.ok(config.template?.includes("{'mask'}") && config.labelWords);
    if (kind === 'efl') assert.deepEqual(Object.keys(config.descriptions ?? {}).sort(), ['Negative', 'Positive']);
    if (kind === 'finetune') assert.equal(config.template, undefined);
    method.dispose();
    again.dispose();
  }
  bert.dispose();
});

test('the registry: one spelling per method, clear errors for unknown or clashing kinds', async () => {
  assert.deepEqual(methodKinds().slice(0, 4), ['pet', 'ptuning', 'efl', 'finetune']);
  assert.throws(() => getMethod('p-tuning'), /unknown method 'p-tuning'.*pet, ptuning, efl, finetune/);
  assert.throws(() => registerMethod({ ...clsLinear, kind: 'pet' }), /method 'pet' is already registered/);
  assert.throws(() => registerMethod({ ...clsLinear, kind: 'Bad Kind' }), ConfigError);
  assert.throws(() => parseExperimentConfig({ task: 'eprstmt', method: 'P-Tuning' }), /method/);
  // A run whose method is not registered here cannot be exported: the error names the run and the valid kinds.
  const out = mkdtempSync(join(tmpdir(), 'fewprompt-unregistered-'));
  dirs.push(out);
  const { writeFileSync } = await import('node:fs');
  writeFileSync(
    join(out, 'method.json'),
    JSON.stringify({ formatVersion: 1, kind: 'warp', maxSeqLen: 8, labels: ['a'] }),
  );
  await assert.rejects(exportRun(out, join(out, 'bundle')), /run .*: unknown method 'warp'/);
  assert.match(readFileSync(join(out, 'method.json'), 'utf8'), /warp/);
});
