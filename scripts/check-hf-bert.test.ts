import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SHIPPED = join(ROOT, 'models/fewprompt-zh-mini');
const torch = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' });

test(`the shipped model loads as transformers' BertForMaskedLM and predicts what fewprompt predicts; a weight under \
a name transformers does not know is refused`, (t) => {
  if (torch.status !== 0) t.skip("Debian's python3-torch is not installed (apt-get install python3-torch)");
  const check = spawnSync('npx', ['tsx', 'scripts/check-hf-bert.ts'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(check.status, 0, check.stderr);
  assert.match(check.stdout, /loads as BertForMaskedLM .*top 5 at 5 masks agree/);

  const dir = mkdtempSync(join(tmpdir(), 'fewprompt-hf-'));
  try {
    cpSync(SHIPPED, dir, { recursive: true });
    const file = join(dir, 'model.safetensors');
    const bytes = readFileSync(file);
    const headerLength = Number(bytes.readBigUInt64LE(0));
    const header = bytes.subarray(8, 8 + headerLength).toString('latin1');
    // Same length, so the offsets stay valid: only the name is wrong.
    bytes.write(header.replace('"bert.embeddings.LayerNorm.bias"', '"bert.embeddings.LayerNorm.bIas"'), 8, 'latin1');
    writeFileSync(file, bytes);
    const python = spawnSync('/usr/bin/python3', ['scripts/check_hf_bert.py', dir], {
      cwd: ROOT,
      input: '{"inputs": []}',
      encoding: 'utf8',
    });
    assert.equal(python.status, 1);
    assert.match(python.stdout, /Missing key\(s\).*bert\.embeddings\.LayerNorm\.bias/);
    assert.match(python.stdout, /Unexpected key\(s\).*LayerNorm\.bIas/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);
