import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'vitest';
import { metricLine, parseMetricFile, pythonFloat } from './file-store-layout.js';
import { emitMetaYaml, parseMetaYaml } from './meta-yaml.js';
import type { MetaRecord } from './meta-yaml.js';
import { pythonNormpath } from './validation.js';
import { TrackingError } from '../errors.js';

const TRICKY = [
  'pet-eprstmt',
  '情感分类 实验',
  'yes',
  'No',
  'on',
  '123',
  '0.5',
  '1e5',
  '0x1F',
  '1_000',
  '+1',
  '.inf',
  '2024-01-01',
  'a: b',
  'a:b',
  "it's",
  "'quoted'",
  '"dq"',
  '#hash',
  'a #b',
  'a#b',
  '- dash',
  '-dash',
  '?q',
  ': x',
  'trail ',
  ' lead',
  'null',
  '~',
  '',
  '=',
  '<<',
  '---x',
  '...',
  '@at',
  '%pct',
  'a,b',
  'x{y}',
  '[x]',
  'x[y]',
  'file:///tmp/a b/mlruns/0',
  'line\nbreak',
  '😀 emoji',
  'ends:',
  'seed=1, lr=1e-5',
  'y',
  'N',
  '1.5e+3',
  '0o17',
  '12:30:00',
  '.',
  'tab\there',
  'c1\u0080x',
  'ctl\u0001x',
  'bom\ufeffx',
];
/** Names PyYAML quotes in another (equally valid) style: its reader gives the same string for both. */
const STYLE_ONLY = new Set(["'quoted'", '---x', '...', 'line\nbreak']);

/**
 * PyYAML's `safe_dump(..., default_flow_style=False, allow_unicode=True)` of each record, or undefined without PyYAML.
 */
function pyyamlDump(records: MetaRecord[]): string[] | undefined {
  const script =
    'import sys, json, yaml\nfor r in json.load(sys.stdin):\n' +
    '    sys.stdout.write(json.dumps(yaml.safe_dump(r, default_flow_style=False, allow_unicode=True)) + "\\n")\n';
  const py = spawnSync('python3', ['-c', script], { input: JSON.stringify(records), encoding: 'utf8' });
  if (py.status !== 0) return undefined;
  return py.stdout
    .trim()
    .split('\n')
    .map((line) => String(JSON.parse(line)));
}

/** PyYAML's `safe_load` of each text (an error's first line in place of a record), or undefined without PyYAML. */
function pyyamlLoad(texts: string[]): unknown[] | undefined {
  const script =
    'import sys, json, yaml\ndef load(t):\n    try: return yaml.safe_load(t)\n' +
    '    except yaml.YAMLError as e: return str(e).splitlines()[0]\n' +
    'print(json.dumps([load(t) for t in json.load(sys.stdin)]))';
  const py = spawnSync('python3', ['-c', script], { input: JSON.stringify(texts), encoding: 'utf8' });
  return py.status === 0 ? (JSON.parse(py.stdout) as unknown[]) : undefined;
}

const RUN_META: MetaRecord = {
  artifact_uri: 'file:///tmp/mlruns/123456789012345678/0123456789abcdef0123456789abcdef/artifacts',
  end_time: null,
  entry_point_name: '',
  experiment_id: '123456789012345678',
  lifecycle_stage: 'active',
  run_id: '0123456789abcdef0123456789abcdef',
  run_name: 'seed-1',
  run_uuid: '0123456789abcdef0123456789abcdef',
  source_name: '',
  source_type: 4,
  source_version: '',
  start_time: 1718000000000,
  status: 1,
  tags: [],
  user_id: 'root',
};

describe('meta.yaml', () => {
  test('emits what MLflow writes for a run', () => {
    assert.equal(
      emitMetaYaml(RUN_META),
      [
        'artifact_uri: file:///tmp/mlruns/123456789012345678/0123456789abcdef0123456789abcdef/artifacts',
        'end_time: null',
        "entry_point_name: ''",
        "experiment_id: '123456789012345678'",
        'lifecycle_stage: active',
        'run_id: 0123456789abcdef0123456789abcdef',
        'run_name: seed-1',
        'run_uuid: 0123456789abcdef0123456789abcdef',
        "source_name: ''",
        'source_type: 4',
        "source_version: ''",
        'start_time: 1718000000000',
        'status: 1',
        'tags: []',
        'user_id: root',
        '',
      ].join('\n'),
    );
  });

  test('round-trips tricky names', () => {
    for (const name of TRICKY) assert.deepEqual(parseMetaYaml(emitMetaYaml({ name })), { name }, JSON.stringify(name));
    assert.deepEqual(parseMetaYaml(emitMetaYaml(RUN_META)), RUN_META);
  });

  test("PyYAML reads what we write as written, we read what PyYAML writes; the bytes are PyYAML's", (t) => {
    const records: MetaRecord[] = [RUN_META, ...TRICKY.map((name) => ({ experiment_id: '0', name }))];
    const dumps = pyyamlDump(records);
    if (!dumps) {
      t.skip('python3 with PyYAML is not available');
      return;
    }
    assert.deepEqual(pyyamlLoad(records.map(emitMetaYaml)), records);
    records.forEach((record, i) => {
      assert.deepEqual(parseMetaYaml(dumps[i] ?? ''), record, JSON.stringify(record));
      if (!STYLE_ONLY.has(String(record.name))) assert.equal(emitMetaYaml(record), dumps[i], JSON.stringify(record));
    });
    const long = {
      name: `${'很长的实验名 '.repeat(20)}end`,
      quoted: `${"it's a long quoted value ".repeat(6)}end`,
      url: `file:///${'x'.repeat(120)}`,
    };
    const folded = pyyamlDump([long])?.[0] ?? '';
    assert.ok(folded.split('\n').length > 4, 'PyYAML folds long scalars');
    assert.deepEqual(parseMetaYaml(folded), long);
  });
});

describe('metric lines', () => {
  test('values are formatted like Python repr', () => {
    const cases: [number, string][] = [
      [1, '1.0'],
      [0.5, '0.5'],
      [-2, '-2.0'],
      [0, '0.0'],
      [1e-5, '1e-05'],
      [0.0001, '0.0001'],
      [1 / 3, '0.3333333333333333'],
      [1e16, '1e+16'],
      [123456789012345.6, '123456789012345.6'],
      [1.5e-7, '1.5e-07'],
      [NaN, 'nan'],
      [Infinity, 'inf'],
      [-Infinity, '-inf'],
    ];
    for (const [value, text] of cases) assert.equal(pythonFloat(value), text, String(value));
    assert.equal(metricLine({ key: 'a', value: 0.25, timestamp: 1718000000000, step: 7 }), '1718000000000 0.25 7\n');
  });

  test('parsing skips an unfinished last line and reads 2-field legacy lines', () => {
    const points = parseMetricFile('acc', '1 0.5 0\n2 nan 1\n3 0.75\n4 0.9', 'acc');
    assert.deepEqual(
      points.map((p) => [p.timestamp, p.step]),
      [
        [1, 0],
        [2, 1],
        [3, 0],
      ],
    );
    assert.ok(Number.isNaN(points[1]?.value));
  });
});

test('pythonNormpath matches posixpath.normpath', () => {
  const cases: [string, string][] = [
    ['a/b', 'a/b'],
    ['a//b', 'a/b'],
    ['a/./b', 'a/b'],
    ['a/../b', 'b'],
    ['../a', '../a'],
    ['/a/', '/a'],
    ['//a', '//a'],
    ['///a', '/a'],
    ['', '.'],
    ['.', '.'],
    ['a/', 'a'],
    ['/..', '/'],
  ];
  for (const [input, expected] of cases) assert.equal(pythonNormpath(input), expected, input);
});

test('U+2028, U+2029 and U+0085 (line breaks to YAML) are escaped: PyYAML reads the same string back', () => {
  const names = ['para\u2028graph', 'line\u2029sep', 'nel\u0085x'];
  const texts = names.map((name) => emitMetaYaml({ experiment_id: '0', name }));
  assert.deepEqual(texts[0], 'experiment_id: \'0\'\nname: "para\\Lgraph"\n');
  for (const [i, text] of texts.entries()) {
    assert.ok(!/[\u0085\u2028\u2029]/.test(text), `raw line break written for ${JSON.stringify(names[i])}`);
    assert.equal(parseMetaYaml(text)['name'], names[i]);
  }
  const loaded = pyyamlLoad(texts);
  if (loaded === undefined) return; // no PyYAML here: our own reader checked above
  assert.deepEqual(
    loaded.map((r) => (r as MetaRecord)['name']),
    names,
  );
});

test('a malformed meta.yaml is a TrackingError naming the file', () => {
  assert.throws(
    () => parseMetaYaml("name: 'unterminated\n", 'mlruns/0/meta.yaml'),
    (e: Error) => e instanceof TrackingError && e.message.startsWith('mlruns/0/meta.yaml: '),
  );
  assert.throws(() => parseMetaYaml('- a\n- b\n', 'm.yaml'), /m\.yaml: expected a mapping/);
  assert.deepEqual(parseMetaYaml('tags:\n- a\n- b\nname: x\n'), { tags: [], name: 'x' }, 'legacy tag lists');
});
