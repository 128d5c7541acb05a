/**
 * Cases run through the CLI to its exit: flags, datasets, bundles, model folders (config.json, pickles, safetensors,
 * zip bombs), resume identity, failed exports, the --host warning. Each should end with one line naming the file,
 * field or port, and exit 2.
 */
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { type Bench, cliEnv, expectOneLine, fp, freePort, linesOf, record, startGroup } from './harness.js';

const ROOT = new URL('../../', import.meta.url).pathname;

/** A copy of the bench's bundle, changed by `edit`. */
function variant(bench: Bench, name: string, edit: (dir: string) => void): string {
  const dir = join(bench.work, name);
  cpSync(bench.bundle, dir, { recursive: true });
  edit(dir);
  return dir;
}

function editManifest(dir: string, change: (m: Record<string, unknown>) => void): void {
  const m = JSON.parse(readFileSync(join(dir, 'bundle.json'), 'utf8')) as Record<string, unknown>;
  change(m);
  writeFileSync(join(dir, 'bundle.json'), JSON.stringify(m));
}

/** A copy of the run's model folder, changed by `edit`. */
function modelVariant(bench: Bench, name: string, edit: (dir: string) => void): string {
  const dir = join(bench.work, name);
  cpSync(join(bench.run, 'model'), dir, { recursive: true });
  edit(dir);
  return dir;
}

/** Bad flags and bad datasets: one line naming the flag, or file:line and field. */
export function flagAndDataCases(bench: Bench): void {
  startGroup('flags and datasets');
  expectOneLine('train --lr abc', ['train', '--lr', 'abc', '--no-track'], /--lr must be a number, got 'abc'/);
  expectOneLine('train --bogus', ['train', '--bogus', '--no-track'], /Unknown option '--bogus'/);
  expectOneLine(
    'serve --max-batch 0',
    ['serve', '--bundle', `m=${bench.bundle}`, '--max-batch', '0'],
    /--max-batch must be an integer from 1 to 4096/,
  );
  expectOneLine(
    'serve --port 70000',
    ['serve', '--bundle', `m=${bench.bundle}`, '--port', '70000'],
    /--port must be an integer from 0 to 65535/,
  );
  const data = join(bench.work, 'data');
  cpSync(join(ROOT, 'datasets/fewclue/eprstmt/data'), join(data, 'fewclue/eprstmt'), { recursive: true });
  const good = '{"text":"好","label":"pos"}\n{"text":"差","label":"neg"}\n';
  writeFileSync(join(data, 'dev.jsonl'), good);
  writeFileSync(join(data, 'broken.jsonl'), `${good}{"text":"x"\n`);
  writeFileSync(join(data, 'missing.jsonl'), `${good}{"txt":"x","label":"neg"}\n`);
  const own = (file: string) => [
    'train',
    ...['--train', join(data, file), '--dev', join(data, 'dev.jsonl')],
    ...['--text-field', 'text', '--label-field', 'label', '--no-track'],
  ];
  expectOneLine('JSONL with a broken line 3', own('broken.jsonl'), /broken\.jsonl:3: invalid JSON/);
  expectOneLine('JSONL line 3 without the text field', own('missing.jsonl'), /missing\.jsonl:3: missing field 'text'/);
  const train = join(data, 'fewclue/eprstmt/train_0.json');
  const lines = readFileSync(train, 'utf8').split('\n');
  lines[4] = '{"id": 5, "sentence": "还行", "label": "Maybe"}';
  writeFileSync(train, lines.join('\n'));
  expectOneLine(
    'FewCLUE train_0.json line 5 with an unknown label',
    ['train', '--data-dir', join(data, 'fewclue'), '--max-steps', '1', '--no-track'],
    /train_0\.json:5: field 'label' has label 'Maybe'/,
  );
}

/** Broken bundles: model.onnx, labels, paths; a failed export over a bundle. */
export function bundleCases(bench: Bench): void {
  startGroup('bundles');
  const onnx = readFileSync(join(bench.bundle, 'model.onnx'));
  for (const [name, bytes] of [
    ['empty', Buffer.alloc(0)],
    ['truncated', onnx.subarray(0, 5000)],
    ['random', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24))],
  ] as const) {
    const dir = variant(bench, `onnx-${name}`, (d) => writeFileSync(join(d, 'model.onnx'), bytes));
    expectOneLine(
      `predict with a ${name} model.onnx`,
      ['predict', '--bundle', dir, '很好'],
      /ONNX Runtime cannot load it/,
    );
  }
  const manifest = (name: string, change: (m: Record<string, unknown>) => void) =>
    variant(bench, name, (d) => editManifest(d, change));
  expectOneLine(
    'bundle.json with 3 labels for 2 scores',
    ['predict', '--bundle', manifest('labels3', (m) => (m['labels'] = ['a', 'b', 'c'])), '很好'],
    /the graph scores 2 labels, bundle\.json lists 3/,
  );
  expectOneLine(
    'bundle.json with labels []',
    ['predict', '--bundle', manifest('labels0', (m) => (m['labels'] = [])), '很好'],
    /at least two distinct non-empty strings/,
  );
  const outside = manifest(
    'escape',
    (m) => ((m['model'] as Record<string, unknown>)['file'] = '../../../../etc/passwd'),
  );
  expectOneLine('model.file outside the bundle', ['predict', '--bundle', outside, '很好'], /points outside the bundle/);
  const keep = variant(bench, 'keep', () => {});
  const before = readFileSync(join(keep, 'model.onnx'));
  const failed = fp(['export', '--run', join(bench.work, 'no-such-run'), '--out', keep]);
  const intact = Buffer.compare(before, readFileSync(join(keep, 'model.onnx'))) === 0;
  record(
    'a failed export over a bundle',
    'exit 2, old bundle intact',
    `exit ${failed.status}, intact ${intact}`,
    failed.status === 2 && intact,
    failed.seconds,
  );
}

/** Model folders a hostile user hands over: absurd config.json, pickles that run code, lying headers, zip bombs. */
export function modelFileCases(bench: Bench): void {
  startGroup('model files');
  const train = (model: string) => ['train', '--model', model, '--max-steps', '1', '--no-track'];
  for (const [field, value] of [
    ['num_hidden_layers', 1e9],
    ['vocab_size', 1e12],
    ['hidden_size', 1048576],
  ] as const) {
    const model = modelVariant(bench, `model-${field}`, (dir) => {
      const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
      config[field] = value;
      writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    });
    expectOneLine(`config.json ${field}: ${value}`, train(model), new RegExp(`${field} must be an integer`), 60_000);
  }
  // A pickle that calls os.system('touch MARKER') when Python's pickle loads it.
  const marker = join(bench.work, 'PWNED');
  const evil = modelVariant(bench, 'model-pickle', (dir) => {
    rmSync(join(dir, 'model.safetensors'));
    const cmd = Buffer.from(`touch ${marker}`);
    const length = Buffer.alloc(4);
    length.writeUInt32LE(cmd.length);
    const pkl = Buffer.concat([
      Buffer.from([0x80, 2]),
      Buffer.from('cos\nsystem\nX'),
      length,
      cmd,
      Buffer.from([0x85, 0x52, 0x2e]),
    ]);
    const byteorder = new TextEncoder().encode('little');
    writeFileSync(
      join(dir, 'pytorch_model.bin'),
      zipSync({ 'archive/data.pkl': pkl, 'archive/byteorder': byteorder }, { level: 0 }), // stored, as torch.save
    );
  });
  const r = fp(train(evil), 60_000);
  const lines = linesOf(r.stderr);
  record(
    'pytorch_model.bin whose pickle calls os.system',
    "exit 2, one line refusing global 'os.system', nothing run",
    `exit ${r.status}, ${lines.length} line(s): ` +
      `…${/refusing global '[^']*'/.exec(lines[0] ?? '')?.[0] ?? lines[0]}…; ` +
      `marker file ${existsSync(marker) ? 'CREATED' : 'absent'}`,
    r.status === 2 && lines.length === 1 && /refusing global 'os\.system'/.test(lines[0]!) && !existsSync(marker),
    r.seconds,
  );
  const safetensors = readFileSync(join(bench.run, 'model/model.safetensors'));
  const headerLength = Number(safetensors.readBigUInt64LE(0));
  const lyingOffsets = modelVariant(bench, 'model-offsets', (dir) => {
    const header = JSON.parse(safetensors.subarray(8, 8 + headerLength).toString()) as Record<
      string,
      { data_offsets: number[] }
    >;
    const key = Object.keys(header).find((k) => k !== '__metadata__')!;
    header[key]!.data_offsets[1]! += 1 << 30;
    const json = Buffer.from(JSON.stringify(header));
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(json.length));
    writeFileSync(
      join(dir, 'model.safetensors'),
      Buffer.concat([length, json, safetensors.subarray(8 + headerLength)]),
    );
  });
  expectOneLine(
    'safetensors offsets 1 GB past the data',
    train(lyingOffsets),
    /data_offsets .* fall outside the \d+ data bytes/,
  );
  const lyingLength = modelVariant(bench, 'model-header', (dir) => {
    const copy = Buffer.from(safetensors);
    copy.writeBigUInt64LE(1n << 40n, 0);
    writeFileSync(join(dir, 'model.safetensors'), copy);
  });
  expectOneLine('safetensors header length of 1 TB', train(lyingLength), /header length \d+ does not fit in a file of/);
  const bomb = modelVariant(bench, 'model-bomb', (dir) => {
    rmSync(join(dir, 'model.safetensors'));
    const entries = { 'archive/data.pkl': new Uint8Array(8), 'archive/data/0': new Uint8Array(256 << 20) };
    writeFileSync(join(dir, 'pytorch_model.bin'), zipSync(entries, { level: 9 }));
  });
  expectOneLine('a 256 MB zip bomb as pytorch_model.bin', train(bomb), /a zip bomb/, 60_000);
}

/** --resume with another configuration; Redis unreachable; serve's --host warning. */
export async function configurationCases(bench: Bench): Promise<void> {
  startGroup('configuration');
  const resume = join(bench.work, 'resume');
  rmSync(resume, { recursive: true, force: true });
  fp(['train', '--max-steps', '4', '--out', resume, '--keep-checkpoint', '--no-track'], 600_000);
  expectOneLine(
    '--resume with --split 1',
    ['train', '--max-steps', '4', '--out', resume, '--resume', '--split', '1', '--no-track'],
    /another configuration \(.*split/,
    300_000,
  );
  expectOneLine(
    'fewclue --queue with nothing listening',
    [
      'fewclue',
      '--tasks',
      'eprstmt',
      '--queue',
      `redis://127.0.0.1:${await freePort()}`,
      '--out',
      join(bench.work, 'q'),
    ],
    /cannot reach Redis at .* within 10 s/,
    60_000,
  );
  // The warning comes before any model loads: a missing bundle ends the command before it binds anything, so the
  // check stays on loopback.
  const missing = `m=${join(bench.work, 'no-such-bundle')}`;
  const open = fp(['serve', '--host', '0.0.0.0', '--bundle', missing], 60_000, cliEnv('warn'));
  const keyed = fp(
    ['serve', '--host', '0.0.0.0', '--api-key', 'correct-horse', '--bundle', missing],
    60_000,
    cliEnv('warn'),
  );
  const warns = (s: string) => /--host 0\.0\.0\.0 is reachable from other machines and no --api-key is set/.test(s);
  record(
    'serve --host 0.0.0.0 (with and without --api-key)',
    'a warning without a key, none with one',
    `without: ${warns(open.stderr) ? 'warned' : 'silent'}; with: ${warns(keyed.stderr) ? 'warned' : 'silent'}`,
    warns(open.stderr) && !warns(keyed.stderr),
    open.seconds + keyed.seconds,
  );
}
