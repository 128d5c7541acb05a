import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError } from '../../framework/errors.js';
import { log } from '../../framework/log.js';
import { CORPUS_FORMATS } from '../../framework/pretrain/corpus.js';
import type {
  CorpusFormat,
  CorpusSource,
  PretrainConfig,
  PretrainConfigInput,
  PretrainProbe,
} from '../../framework/pretrain/index.js';
import type { Command } from './command.js';
import { optionalNumberFlag } from './flags.js';

const usage = `usage: fewprompt pretrain --corpus GLOB [--corpus GLOB …] --out DIR [options]
       fewprompt pretrain --config FILE.json [options]      (flags override the file)
       fewprompt pretrain --resume --out DIR               (continues DIR/checkpoint with its saved config)

Masked-LM pretraining (continued from --init, or from scratch) with resumable checkpoints.
data:
  --corpus GLOB         file or glob; repeatable (format from the extension: .txt lines, .jsonl/.json, .csv, .tsv)
  --corpus-format F     force one format for every --corpus: ${CORPUS_FORMATS.join(', ')}
  --field A,B           JSONL text fields (default: text, sentence, sentence1, sentence2, content, abst, context, \
review, title)
  --column NAME|INDEX   CSV/TSV text column (default: review/text/content/… for CSV, 0 for TSV)
  --exclude GLOB        leave matching files out; repeatable (e.g. '**/test*.json')
  --decontaminate GLOB  never train on a document equal to a text of these files (JSONL/CSV/…, the --field list);
                        repeatable (e.g. '../shared/fewclue/*/test*.json': FewCLUE's unlabeled files repeat test texts)
  --normalization N     light (default) | nfkc | none      --min-chars N (5)  --max-chars N (100000)
  --remove STR          literal text removed from documents; repeatable (e.g. '#idiom#')
  --max-documents N     read only the first N kept documents (smoke runs)
  --heldout-percent P   documents held out for MLM accuracy (1)
model and vocabulary:
  --init DIR            starting model (Hugging Face layout); its vocab.txt is the base vocabulary
  --vocab-file FILE     base vocab.txt when there is no --init
  --vocab bert|corpus   bert: the base vocabulary as is; corpus: pruned to what the corpus uses (smaller MLM head)
  --min-count N         corpus vocab: minimum uses of a multi-character piece (1)
  --layers --hidden --heads --ffn   size of a model built from scratch (4, 256, 4, 1024)
training:
  --max-seq-len N (128)  --batch-size N (32)  --lr X (5e-4)  --weight-decay X (0.01)  --warmup N (300)
  --schedule linear|cosine|constant  --max-steps N (10000; also the decay length)  --max-grad-norm X (1)
  --data-parallel N     N model replicas on worker threads, each taking 1/N of a batch and sharing the cores (batch
                        must divide by N); on the native backend one replica with every core is usually faster (wasm:
                        one core each). Was --workers (still accepted, with a warning: fewclue's --workers are
                        processes)
  --grad-accum N        micro-batches per step on this thread (a batch of --batch-size rows, 1/N of it in memory \
at a time)
  --max-minutes M       stop (with a checkpoint) after M minutes of this invocation; --resume continues
  --checkpoint-minutes M (10)  --eval-every N (500)  --eval-chunks N (200)  --log-every N (10)
  --wwm / --no-wwm      whole-word masking with jieba (default on)   --mask-probability X (0.15)
  --seed N (42)  --save-dtype F32|F16  --experiment NAME (pretrain)  --no-track  --no-progress
  --resume              continue from DIR/checkpoint; reproduces the uninterrupted run
  --resume-force        continue even where the run's settings differ from the checkpoint's (named in the refusal)
  --probe TASKS         at every evaluation, also zero-shot PET on these FewCLUE tasks' dev_few_all (≤ 240 each; e.g.
                        eprstmt,bustm,csl,tnews): accuracy, share of the top answer and batch-calibrated accuracy, \
logged as
                        probe_* (not stored in the config)
  --probe-data-dir DIR  FewCLUE data for --probe (default FEWCLUE_DIR; eprstmt is bundled)`;

const OPTIONS = {
  config: { type: 'string' },
  corpus: { type: 'string', multiple: true },
  decontaminate: { type: 'string', multiple: true },
  'corpus-format': { type: 'string' },
  field: { type: 'string' },
  column: { type: 'string' },
  exclude: { type: 'string', multiple: true },
  normalization: { type: 'string' },
  'min-chars': { type: 'string' },
  'max-chars': { type: 'string' },
  remove: { type: 'string', multiple: true },
  'max-documents': { type: 'string' },
  'heldout-percent': { type: 'string' },
  out: { type: 'string' },
  init: { type: 'string' },
  'vocab-file': { type: 'string' },
  vocab: { type: 'string' },
  'min-count': { type: 'string' },
  layers: { type: 'string' },
  hidden: { type: 'string' },
  heads: { type: 'string' },
  ffn: { type: 'string' },
  'max-seq-len': { type: 'string' },
  'batch-size': { type: 'string' },
  lr: { type: 'string' },
  'weight-decay': { type: 'string' },
  warmup: { type: 'string' },
  schedule: { type: 'string' },
  'max-steps': { type: 'string' },
  'max-grad-norm': { type: 'string' },
  'max-minutes': { type: 'string' },
  'data-parallel': { type: 'string' },
  workers: { type: 'string' }, // the old spelling of --data-parallel
  'grad-accum': { type: 'string' },
  'checkpoint-minutes': { type: 'string' },
  'eval-every': { type: 'string' },
  'eval-chunks': { type: 'string' },
  'log-every': { type: 'string' },
  wwm: { type: 'boolean' },
  'no-wwm': { type: 'boolean' },
  'mask-probability': { type: 'string' },
  seed: { type: 'string' },
  'save-dtype': { type: 'string' },
  experiment: { type: 'string' },
  'no-track': { type: 'boolean' },
  'no-progress': { type: 'boolean' },
  resume: { type: 'boolean' },
  'resume-force': { type: 'boolean' },
  probe: { type: 'string' },
  'probe-data-dir': { type: 'string' },
} as const;

const num = optionalNumberFlag;

/** `--data-parallel N`, or its old spelling `--workers N` with a one-line warning (fewclue's workers are processes). */
function dataParallelFlag(v: Readonly<Record<string, unknown>>): number | undefined {
  if (v['workers'] === undefined) return num(v, 'data-parallel');
  if (v['data-parallel'] !== undefined) throw new ConfigError('give --data-parallel only (--workers is its old name)');
  log.warn('pretrain: --workers is deprecated, use --data-parallel (the same: model replicas on worker threads)');
  return num(v, 'workers');
}

function readConfigFile(path: string): PretrainConfigInput {
  try {
    const json: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof json !== 'object' || json === null || Array.isArray(json))
      throw new ConfigError(`${path}: expected a JSON object`);
    return json as PretrainConfigInput;
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`--config ${path}: ${(error as Error).message}`);
  }
}

/**
 * Flags → partial config (only what was given, so a config file's values survive).
 * @example pretrainInputFromFlags(['--data-parallel', '2', '--lr', '1e-4']); // → { lr: 0.0001, workers: 2 }
 */
export function pretrainInputFromFlags(args: string[]): PretrainConfigInput {
  return fromFlags(parse(args).values);
}

function fromFlags(v: ReturnType<typeof parse>['values']): PretrainConfigInput {
  const out: PretrainConfigInput = {};
  const set = <K extends keyof PretrainConfigInput>(key: K, value: PretrainConfigInput[K] | undefined): void => {
    if (value !== undefined) out[key] = value;
  };
  if (v['corpus-format'] !== undefined && !(CORPUS_FORMATS as readonly string[]).includes(v['corpus-format'])) {
    throw new ConfigError(
      `--corpus-format '${v['corpus-format']}' unknown; expected one of ${CORPUS_FORMATS.join(', ')}`,
    );
  }
  const fields = v.field
    ?.split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  if (v.corpus) {
    const column = v.column === undefined ? undefined : /^\d+$/.test(v.column) ? Number(v.column) : v.column;
    out.corpus = v.corpus.map(
      (path): CorpusSource => ({
        path,
        format: v['corpus-format'] as CorpusFormat | undefined,
        fields,
        column,
        exclude: v.exclude,
      }),
    );
  }
  if (v.decontaminate) out.decontaminate = v.decontaminate.map((path): CorpusSource => ({ path, fields }));
  set('out', v.out);
  set('init', v.init);
  set('vocabFile', v['vocab-file']);
  set('vocab', v.vocab as PretrainConfig['vocab'] | undefined);
  set('minCount', num(v, 'min-count'));
  set('maxSeqLen', num(v, 'max-seq-len'));
  set('batchSize', num(v, 'batch-size'));
  set('lr', num(v, 'lr'));
  set('weightDecay', num(v, 'weight-decay'));
  set('warmupSteps', num(v, 'warmup'));
  set('schedule', v.schedule as PretrainConfig['schedule'] | undefined);
  set('maxSteps', num(v, 'max-steps'));
  set('maxGradNorm', num(v, 'max-grad-norm'));
  set('maxMinutes', num(v, 'max-minutes'));
  set('workers', dataParallelFlag(v));
  set('gradientAccumulation', num(v, 'grad-accum'));
  set('checkpointMinutes', num(v, 'checkpoint-minutes'));
  set('evalEvery', num(v, 'eval-every'));
  set('evalChunks', num(v, 'eval-chunks'));
  set('logEvery', num(v, 'log-every'));
  set('heldoutPercent', num(v, 'heldout-percent'));
  set('maskProbability', num(v, 'mask-probability'));
  set('seed', num(v, 'seed'));
  set('maxDocuments', num(v, 'max-documents'));
  set('saveDtype', v['save-dtype'] as PretrainConfig['saveDtype'] | undefined);
  set('experimentName', v.experiment);
  if (v.wwm) out.wwm = true;
  if (v['no-wwm']) out.wwm = false;
  if (v['no-track']) out.track = false;
  const model = { layers: num(v, 'layers'), hidden: num(v, 'hidden'), heads: num(v, 'heads'), ffn: num(v, 'ffn') };
  if (Object.values(model).some((x) => x !== undefined))
    out.model = Object.fromEntries(Object.entries(model).filter(([, x]) => x !== undefined));
  const clean = {
    normalization: v.normalization as PretrainConfig['clean']['normalization'],
    minChars: num(v, 'min-chars'),
    maxChars: num(v, 'max-chars'),
    remove: v.remove,
  };
  if (Object.values(clean).some((x) => x !== undefined))
    out.clean = Object.fromEntries(Object.entries(clean).filter(([, x]) => x !== undefined));
  return out;
}

function parse(args: string[]) {
  return parseArgs({ args, allowPositionals: false, options: OPTIONS });
}

/** `--probe TASKS`: zero-shot PET on these FewCLUE tasks at every evaluation. */
async function probeFromFlag(tasks: string, dataDir: string | undefined): Promise<PretrainProbe> {
  const { getTask, TASK_KINDS } = await import('../../datasets/index.js');
  const { zeroShotProbe } = await import('../zero-shot-probe.js');
  return zeroShotProbe(
    tasks
      .split(',')
      .map((k) => k.trim())
      .filter(Boolean)
      .map((kind) => {
        if (!(TASK_KINDS as readonly string[]).includes(kind))
          throw new ConfigError(`--probe: unknown task '${kind}'; valid: ${TASK_KINDS.join(', ')}`);
        return getTask(kind as (typeof TASK_KINDS)[number], dataDir === undefined ? {} : { dataDir });
      }),
  );
}

/** `fewprompt pretrain`. */
export const pretrainCommand: Command = {
  name: 'pretrain',
  usage,
  options: OPTIONS,
  async run(args) {
    const { values } = parse(args);
    const flags = fromFlags(values);
    const file = values.config !== undefined ? readConfigFile(values.config) : {};
    let base: PretrainConfigInput = {
      ...file,
      ...flags,
      model: { ...file.model, ...flags.model },
      clean: { ...file.clean, ...flags.clean },
    };
    // Loaded here, not at the top: `pretrain --help` must not wait for tfjs.
    const { pretrain, readCheckpointState, resolvePretrainConfig } = await import('../../framework/pretrain/index.js');
    const { initBackend } = await import('../../framework/backend/select.js');
    if (values.resume) {
      const out = flags.out ?? file.out;
      if (out === undefined) throw new ConfigError(`--resume needs --out DIR (the run's output directory)\n${usage}`);
      const saved = readCheckpointState(out).state.config;
      // The saved config decides the data and the schedule; only run-time knobs may change on resume.
      base = {
        ...saved,
        out,
        maxMinutes: flags.maxMinutes,
        workers: flags.workers ?? saved.workers,
        checkpointMinutes: flags.checkpointMinutes ?? saved.checkpointMinutes,
        track: flags.track ?? saved.track,
      };
    }
    const config = resolvePretrainConfig(base, values.config ?? 'pretrain flags');
    await initBackend();
    let stop = false;
    const onSigint = (): void => {
      if (stop) process.exit(130);
      stop = true;
      process.stderr.write('\nfewprompt pretrain: interrupted; writing a checkpoint (Ctrl-C again to quit now)\n');
    };
    process.on('SIGINT', onSigint);
    try {
      const probe =
        values.probe === undefined ? undefined : await probeFromFlag(values.probe, values['probe-data-dir']);
      const result = await pretrain(config, {
        resume: values.resume ?? false,
        ...(values['resume-force'] ? { resumeForce: true } : {}),
        shouldStop: () => stop,
        progress: !values['no-progress'],
        ...(probe ? { probe } : {}),
      });
      const acc = result.heldout ? result.heldout.accuracy.toFixed(4) : '-';
      console.log(
        `${result.completed ? 'done' : 'stopped'} at step ${result.step}/${config.maxSteps}: ` +
          `${result.tokensSeen} tokens, ${Math.round(result.tokensPerSecond)} tok/s, held-out MLM acc ${acc}` +
          `${result.initialHeldout ? ` (start ${result.initialHeldout.accuracy.toFixed(4)})` : ''}` +
          (result.completed
            ? `; model in ${config.out}`
            : `; continue with: fewprompt pretrain --resume --out ${config.out}`),
      );
      return 0;
    } finally {
      process.off('SIGINT', onSigint);
    }
  },
};
