import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'vitest';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/fewprompt.mjs', ...args], { cwd: root, encoding: 'utf8' });

test('template preview prints tokens with [SOFT:k] and [MASK], the length and what was truncated', () => {
  const r = cli(
    'template',
    'preview',
    '--template',
    "{'soft'}{'text': 'text_a'}这是一条{'mask': None, 'length': 2}评价",
    '--example',
    '{"text_a": "很好看的电影"}',
    '--max-seq-len',
    '12',
  );
  assert.equal(r.status, 0, r.stderr);
  assert.equal(
    r.stdout,
    [
      "template: {'soft'}{'text': 'text_a'}这是一条{'mask': None, 'length': 2}评价 (soft, 2 masks, 1 soft slots)",
      'tokens: [CLS] [SOFT:0] 很 这 是 一 条 [MASK] [MASK] 评 价 [SEP]',
      'length: 12 / 12',
      'masks at: 7, 8',
      'soft at: 1',
      'token types: 000000000000',
      'truncated: text_a (block 1) -5 tokens',
      '',
    ].join('\n'),
  );
});

test('template preview: bad template, unknown subcommand, bad JSON → exit 2 with the message', () => {
  const bad = cli('template', 'preview', '--template', "{'text': 'text_a'", '--example', '{}');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^fewprompt template: unclosed '\{': no matching '\}' at offset 0/);
  assert.equal(cli('template', 'show').status, 2);
  const json = cli('template', 'preview', '--template', "{'text': 'a'}", '--example', '{nope');
  assert.equal(json.status, 2);
  assert.match(json.stderr, /--example is not valid JSON/);
  const fit = cli(
    'template',
    'preview',
    '--template',
    "{'text': 'a'}很长的提示{'mask'}",
    '--example',
    '{"a": "好"}',
    '--max-seq-len',
    '4',
  );
  assert.equal(fit.status, 2);
  assert.match(fit.stderr, /does not fit maxSeqLen 4/);
});
